// Original file: proto/mail/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface AliasInfo {
  'address'?: (string);
  'target'?: (string);
  'accountId'?: (number | string | Long);
  'tenantId'?: (number | string | Long);
}

export interface AliasInfo__Output {
  'address': (string);
  'target': (string);
  'accountId': (number);
  'tenantId': (number);
}
