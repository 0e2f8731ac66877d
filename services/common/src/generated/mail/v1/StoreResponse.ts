// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface StoreResponse {
  'uid'?: (number);
  'modseq'?: (number | string | Long);
  'flags'?: (string)[];
  'modified'?: (boolean);
}

export interface StoreResponse__Output {
  'uid': (number);
  'modseq': (number);
  'flags': (string)[];
  'modified': (boolean);
}
