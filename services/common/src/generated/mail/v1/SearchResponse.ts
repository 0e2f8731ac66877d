// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface SearchResponse {
  'uids'?: (number)[];
  'highestmodseq'?: (number | string | Long);
}

export interface SearchResponse__Output {
  'uids': (number)[];
  'highestmodseq': (number);
}
