// Original file: proto/mail/v1/mailbox.proto

import type { MailboxInfo as _mail_v1_MailboxInfo, MailboxInfo__Output as _mail_v1_MailboxInfo__Output } from '../../mail/v1/MailboxInfo.js';

export interface ListMailboxesResponse {
  'mailboxes'?: (_mail_v1_MailboxInfo)[];
  'orphanSubscriptions'?: (string)[];
  'shared'?: (_mail_v1_MailboxInfo)[];
}

export interface ListMailboxesResponse__Output {
  'mailboxes': (_mail_v1_MailboxInfo__Output)[];
  'orphanSubscriptions': (string)[];
  'shared': (_mail_v1_MailboxInfo__Output)[];
}
