// Original file: proto/mail/v1/admin.proto

import type { LimitSetting as _mail_v1_LimitSetting, LimitSetting__Output as _mail_v1_LimitSetting__Output } from '../../mail/v1/LimitSetting.js';

export interface SetUserQuotaRequest {
  'address'?: (string);
  'storage'?: (_mail_v1_LimitSetting | null);
  'messages'?: (_mail_v1_LimitSetting | null);
}

export interface SetUserQuotaRequest__Output {
  'address': (string);
  'storage': (_mail_v1_LimitSetting__Output | null);
  'messages': (_mail_v1_LimitSetting__Output | null);
}
