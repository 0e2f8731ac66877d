// Original file: proto/mail/v1/mailbox.proto

import type { MailboxStatus as _mail_v1_MailboxStatus, MailboxStatus__Output as _mail_v1_MailboxStatus__Output } from '../../mail/v1/MailboxStatus.js';
import type { UidRuns as _mail_v1_UidRuns, UidRuns__Output as _mail_v1_UidRuns__Output } from '../../mail/v1/UidRuns.js';

export interface SelectResponse {
  'status'?: (_mail_v1_MailboxStatus | null);
  'runs'?: (_mail_v1_UidRuns | null);
  'part'?: "status"|"runs";
}

export interface SelectResponse__Output {
  'status'?: (_mail_v1_MailboxStatus__Output | null);
  'runs'?: (_mail_v1_UidRuns__Output | null);
  'part'?: "status"|"runs";
}
