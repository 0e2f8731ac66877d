// Original file: proto/mail/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface ResolvedAddress {
  'accountId'?: (number | string | Long);
  'tenantId'?: (number | string | Long);
  'username'?: (string);
  'disabled'?: (boolean);
  'detail'?: (string);
  'via'?: (string);
}

export interface ResolvedAddress__Output {
  'accountId': (number);
  'tenantId': (number);
  'username': (string);
  'disabled': (boolean);
  'detail': (string);
  'via': (string);
}
