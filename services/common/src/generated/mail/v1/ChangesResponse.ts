// Original file: proto/mail/v1/mailbox.proto

import type { MailboxStatus as _mail_v1_MailboxStatus, MailboxStatus__Output as _mail_v1_MailboxStatus__Output } from '../../mail/v1/MailboxStatus.js';
import type { ChangedMessage as _mail_v1_ChangedMessage, ChangedMessage__Output as _mail_v1_ChangedMessage__Output } from '../../mail/v1/ChangedMessage.js';
import type { UidChunk as _mail_v1_UidChunk, UidChunk__Output as _mail_v1_UidChunk__Output } from '../../mail/v1/UidChunk.js';

export interface ChangesResponse {
  'status'?: (_mail_v1_MailboxStatus | null);
  'message'?: (_mail_v1_ChangedMessage | null);
  'expunged'?: (_mail_v1_UidChunk | null);
  'part'?: "status"|"message"|"expunged";
}

export interface ChangesResponse__Output {
  'status'?: (_mail_v1_MailboxStatus__Output | null);
  'message'?: (_mail_v1_ChangedMessage__Output | null);
  'expunged'?: (_mail_v1_UidChunk__Output | null);
  'part'?: "status"|"message"|"expunged";
}
