// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface SessionKey {
  'accountId'?: (number | string | Long);
  'sessionId'?: (string);
}

export interface SessionKey__Output {
  'accountId': (number);
  'sessionId': (string);
}
