// Original file: proto/mail/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface RemovalCounts {
  'accounts'?: (number | string | Long);
  'mailboxes'?: (number | string | Long);
  'messages'?: (number | string | Long);
  'bodies'?: (number | string | Long);
  'aliases'?: (number | string | Long);
}

export interface RemovalCounts__Output {
  'accounts': (number);
  'mailboxes': (number);
  'messages': (number);
  'bodies': (number);
  'aliases': (number);
}
