// Original file: proto/mail/v1/admin.proto

import type { AppliedLimit as _mail_v1_AppliedLimit, AppliedLimit__Output as _mail_v1_AppliedLimit__Output } from '../../mail/v1/AppliedLimit.js';
import type { TenantQuota as _mail_v1_TenantQuota, TenantQuota__Output as _mail_v1_TenantQuota__Output } from '../../mail/v1/TenantQuota.js';
import type { Long } from '@grpc/proto-loader';

export interface UserQuota {
  'address'?: (string);
  'domain'?: (string);
  'usedBytes'?: (number | string | Long);
  'usedMessages'?: (number | string | Long);
  'storage'?: (_mail_v1_AppliedLimit | null);
  'messages'?: (_mail_v1_AppliedLimit | null);
  'tenant'?: (_mail_v1_TenantQuota | null);
}

export interface UserQuota__Output {
  'address': (string);
  'domain': (string);
  'usedBytes': (number);
  'usedMessages': (number);
  'storage': (_mail_v1_AppliedLimit__Output | null);
  'messages': (_mail_v1_AppliedLimit__Output | null);
  'tenant': (_mail_v1_TenantQuota__Output | null);
}
