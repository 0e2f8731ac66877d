// Original file: proto/mail/v1/mailbox.proto

import type { MailboxStatus as _mail_v1_MailboxStatus, MailboxStatus__Output as _mail_v1_MailboxStatus__Output } from '../../mail/v1/MailboxStatus.js';
import type { UidChunk as _mail_v1_UidChunk, UidChunk__Output as _mail_v1_UidChunk__Output } from '../../mail/v1/UidChunk.js';

export interface SelectResponse {
  'status'?: (_mail_v1_MailboxStatus | null);
  'uids'?: (_mail_v1_UidChunk | null);
  'part'?: "status"|"uids";
}

export interface SelectResponse__Output {
  'status'?: (_mail_v1_MailboxStatus__Output | null);
  'uids'?: (_mail_v1_UidChunk__Output | null);
  'part'?: "status"|"uids";
}
