// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface FetchedMessage {
  'uid'?: (number);
  'modseq'?: (number | string | Long);
  'flags'?: (string)[];
  'internalDateMs'?: (number | string | Long);
  'size'?: (number | string | Long);
  'raw'?: (Buffer | Uint8Array | string);
  'header'?: (Buffer | Uint8Array | string);
  'envelopeJson'?: (string);
  'bodyStructureJson'?: (string);
}

export interface FetchedMessage__Output {
  'uid': (number);
  'modseq': (number);
  'flags': (string)[];
  'internalDateMs': (number);
  'size': (number);
  'raw': (Buffer);
  'header': (Buffer);
  'envelopeJson': (string);
  'bodyStructureJson': (string);
}
