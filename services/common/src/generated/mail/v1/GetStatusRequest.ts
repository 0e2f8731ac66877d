// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';

export interface GetStatusRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'name'?: (string);
  'owner'?: (string);
  'deletedSize'?: (boolean);
  'recent'?: (boolean);
}

export interface GetStatusRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'name': (string);
  'owner': (string);
  'deletedSize': (boolean);
  'recent': (boolean);
}
