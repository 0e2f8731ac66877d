// Original file: proto/mail/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface UserInfo {
  'accountId'?: (number | string | Long);
  'tenantId'?: (number | string | Long);
  'address'?: (string);
  'disabled'?: (boolean);
  'messages'?: (number | string | Long);
  'usedBytes'?: (number | string | Long);
}

export interface UserInfo__Output {
  'accountId': (number);
  'tenantId': (number);
  'address': (string);
  'disabled': (boolean);
  'messages': (number);
  'usedBytes': (number);
}
