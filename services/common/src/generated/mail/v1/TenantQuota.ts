// Original file: proto/mail/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface TenantQuota {
  'domain'?: (string);
  'accounts'?: (number | string | Long);
  'defaultStorage'?: (number | string | Long);
  'defaultMessages'?: (number | string | Long);
  'totalStorage'?: (number | string | Long);
  'totalMessages'?: (number | string | Long);
  'usedBytes'?: (number | string | Long);
  'usedMessages'?: (number | string | Long);
  '_defaultStorage'?: "defaultStorage";
  '_defaultMessages'?: "defaultMessages";
  '_totalStorage'?: "totalStorage";
  '_totalMessages'?: "totalMessages";
}

export interface TenantQuota__Output {
  'domain': (string);
  'accounts': (number);
  'defaultStorage'?: (number);
  'defaultMessages'?: (number);
  'totalStorage'?: (number);
  'totalMessages'?: (number);
  'usedBytes': (number);
  'usedMessages': (number);
  '_defaultStorage'?: "defaultStorage";
  '_defaultMessages'?: "defaultMessages";
  '_totalStorage'?: "totalStorage";
  '_totalMessages'?: "totalMessages";
}
