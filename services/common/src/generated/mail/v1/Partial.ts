// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface Partial {
  'offset'?: (number | string | Long);
  'length'?: (number | string | Long);
}

export interface Partial__Output {
  'offset': (number);
  'length': (number);
}
