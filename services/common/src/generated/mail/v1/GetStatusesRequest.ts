// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';

export interface GetStatusesRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'deletedSize'?: (boolean);
  'recent'?: (boolean);
}

export interface GetStatusesRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'deletedSize': (boolean);
  'recent': (boolean);
}
