// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface ChangedMessage {
  'uid'?: (number);
  'modseq'?: (number | string | Long);
  'flags'?: (string)[];
  'size'?: (number | string | Long);
  'internalDateMs'?: (number | string | Long);
}

export interface ChangedMessage__Output {
  'uid': (number);
  'modseq': (number);
  'flags': (string)[];
  'size': (number);
  'internalDateMs': (number);
}
