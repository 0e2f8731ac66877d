// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface QuotaUsage {
  'usedBytes'?: (number | string | Long);
  'usedMessages'?: (number | string | Long);
  'limitBytes'?: (number | string | Long);
  'limitMessages'?: (number | string | Long);
  '_limitBytes'?: "limitBytes";
  '_limitMessages'?: "limitMessages";
}

export interface QuotaUsage__Output {
  'usedBytes': (number);
  'usedMessages': (number);
  'limitBytes'?: (number);
  'limitMessages'?: (number);
  '_limitBytes'?: "limitBytes";
  '_limitMessages'?: "limitMessages";
}
