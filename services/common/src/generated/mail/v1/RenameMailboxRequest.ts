// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';

export interface RenameMailboxRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'fromName'?: (string);
  'toName'?: (string);
  'owner'?: (string);
}

export interface RenameMailboxRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'fromName': (string);
  'toName': (string);
  'owner': (string);
}
