// Original file: proto/mail/v1/mailbox.proto

import type { MailboxStatus as _mail_v1_MailboxStatus, MailboxStatus__Output as _mail_v1_MailboxStatus__Output } from '../../mail/v1/MailboxStatus.js';
import type { ChangedMessage as _mail_v1_ChangedMessage, ChangedMessage__Output as _mail_v1_ChangedMessage__Output } from '../../mail/v1/ChangedMessage.js';

export interface ChangesResponse {
  'status'?: (_mail_v1_MailboxStatus | null);
  'changed'?: (_mail_v1_ChangedMessage)[];
  'expunged'?: (number)[];
}

export interface ChangesResponse__Output {
  'status': (_mail_v1_MailboxStatus__Output | null);
  'changed': (_mail_v1_ChangedMessage__Output)[];
  'expunged': (number)[];
}
