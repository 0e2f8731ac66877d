// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface StoredFlags {
  'uid'?: (number);
  'modseq'?: (number | string | Long);
  'flags'?: (string)[];
  'modified'?: (boolean);
}

export interface StoredFlags__Output {
  'uid': (number);
  'modseq': (number);
  'flags': (string)[];
  'modified': (boolean);
}
