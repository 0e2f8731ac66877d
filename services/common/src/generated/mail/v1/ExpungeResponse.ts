// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface ExpungeResponse {
  'uids'?: (number)[];
  'highestmodseq'?: (number | string | Long);
}

export interface ExpungeResponse__Output {
  'uids': (number)[];
  'highestmodseq': (number);
}
