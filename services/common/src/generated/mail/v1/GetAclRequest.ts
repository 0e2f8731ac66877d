// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';

export interface GetAclRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'owner'?: (string);
  'name'?: (string);
  'entries'?: (boolean);
}

export interface GetAclRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'owner': (string);
  'name': (string);
  'entries': (boolean);
}
