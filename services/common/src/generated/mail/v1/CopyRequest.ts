// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';
import type { UidRange as _mail_v1_UidRange, UidRange__Output as _mail_v1_UidRange__Output } from '../../mail/v1/UidRange.js';
import type { Long } from '@grpc/proto-loader';

export interface CopyRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'mailboxId'?: (number | string | Long);
  'uids'?: (_mail_v1_UidRange)[];
  'destination'?: (string);
  'owner'?: (string);
  'destinationOwner'?: (string);
}

export interface CopyRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'mailboxId': (number);
  'uids': (_mail_v1_UidRange__Output)[];
  'destination': (string);
  'owner': (string);
  'destinationOwner': (string);
}
