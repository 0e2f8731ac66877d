// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';
import type { AppendItem as _mail_v1_AppendItem, AppendItem__Output as _mail_v1_AppendItem__Output } from '../../mail/v1/AppendItem.js';

export interface AppendRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'mailbox'?: (string);
  'items'?: (_mail_v1_AppendItem)[];
  'owner'?: (string);
  'claimRecent'?: (boolean);
}

export interface AppendRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'mailbox': (string);
  'items': (_mail_v1_AppendItem__Output)[];
  'owner': (string);
  'claimRecent': (boolean);
}
