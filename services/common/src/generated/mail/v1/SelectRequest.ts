// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';

export interface SelectRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'name'?: (string);
  'owner'?: (string);
  'claimRecent'?: (boolean);
  'firstUnseen'?: (boolean);
}

export interface SelectRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'name': (string);
  'owner': (string);
  'claimRecent': (boolean);
  'firstUnseen': (boolean);
}
