// Original file: proto/mail/v1/mailbox.proto

import type { MailboxStatus as _mail_v1_MailboxStatus, MailboxStatus__Output as _mail_v1_MailboxStatus__Output } from '../../mail/v1/MailboxStatus.js';

export interface GetStatusesResponse {
  'statuses'?: (_mail_v1_MailboxStatus)[];
}

export interface GetStatusesResponse__Output {
  'statuses': (_mail_v1_MailboxStatus__Output)[];
}
