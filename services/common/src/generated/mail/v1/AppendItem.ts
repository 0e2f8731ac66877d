// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface AppendItem {
  'flags'?: (string)[];
  'internalDateMs'?: (number | string | Long);
  'message'?: (Buffer | Uint8Array | string);
}

export interface AppendItem__Output {
  'flags': (string)[];
  'internalDateMs': (number);
  'message': (Buffer);
}
