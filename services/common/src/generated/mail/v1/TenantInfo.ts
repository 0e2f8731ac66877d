// Original file: proto/mail/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface TenantInfo {
  'tenantId'?: (number | string | Long);
  'domain'?: (string);
  'accounts'?: (number | string | Long);
  'aliases'?: (number | string | Long);
}

export interface TenantInfo__Output {
  'tenantId': (number);
  'domain': (string);
  'accounts': (number);
  'aliases': (number);
}
