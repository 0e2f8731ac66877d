// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface AccountRef {
  'accountId'?: (number | string | Long);
  'tenantId'?: (number | string | Long);
}

export interface AccountRef__Output {
  'accountId': (number);
  'tenantId': (number);
}
