// Original file: proto/mail/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface AppliedLimit {
  'limit'?: (number | string | Long);
  'source'?: (string);
  '_limit'?: "limit";
}

export interface AppliedLimit__Output {
  'limit'?: (number);
  'source': (string);
  '_limit'?: "limit";
}
