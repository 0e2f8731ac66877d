// Original file: proto/mail/v1/mailbox.proto

import type { QuotaUsage as _mail_v1_QuotaUsage, QuotaUsage__Output as _mail_v1_QuotaUsage__Output } from '../../mail/v1/QuotaUsage.js';

export interface GetQuotaResponse {
  'account'?: (_mail_v1_QuotaUsage | null);
  'tenant'?: (_mail_v1_QuotaUsage | null);
}

export interface GetQuotaResponse__Output {
  'account': (_mail_v1_QuotaUsage__Output | null);
  'tenant': (_mail_v1_QuotaUsage__Output | null);
}
