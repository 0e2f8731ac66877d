// Original file: proto/mail/v1/admin.proto

import type { LimitSetting as _mail_v1_LimitSetting, LimitSetting__Output as _mail_v1_LimitSetting__Output } from '../../mail/v1/LimitSetting.js';

export interface SetTenantQuotaRequest {
  'domain'?: (string);
  'storage'?: (_mail_v1_LimitSetting | null);
  'messages'?: (_mail_v1_LimitSetting | null);
  'totalStorage'?: (_mail_v1_LimitSetting | null);
  'totalMessages'?: (_mail_v1_LimitSetting | null);
}

export interface SetTenantQuotaRequest__Output {
  'domain': (string);
  'storage': (_mail_v1_LimitSetting__Output | null);
  'messages': (_mail_v1_LimitSetting__Output | null);
  'totalStorage': (_mail_v1_LimitSetting__Output | null);
  'totalMessages': (_mail_v1_LimitSetting__Output | null);
}
