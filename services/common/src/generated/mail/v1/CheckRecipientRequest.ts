// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface CheckRecipientRequest {
  'address'?: (string);
  'size'?: (number | string | Long);
}

export interface CheckRecipientRequest__Output {
  'address': (string);
  'size': (number);
}
