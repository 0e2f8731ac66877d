// Original file: proto/mail/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface LimitSetting {
  'limit'?: (number | string | Long);
  'unlimited'?: (boolean);
  'tenantDefault'?: (boolean);
  'setting'?: "limit"|"unlimited"|"tenantDefault";
}

export interface LimitSetting__Output {
  'limit'?: (number);
  'unlimited'?: (boolean);
  'tenantDefault'?: (boolean);
  'setting'?: "limit"|"unlimited"|"tenantDefault";
}
