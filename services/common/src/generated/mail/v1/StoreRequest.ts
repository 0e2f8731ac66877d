// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';
import type { UidRange as _mail_v1_UidRange, UidRange__Output as _mail_v1_UidRange__Output } from '../../mail/v1/UidRange.js';
import type { StoreMode as _mail_v1_StoreMode, StoreMode__Output as _mail_v1_StoreMode__Output } from '../../mail/v1/StoreMode.js';
import type { Long } from '@grpc/proto-loader';

export interface StoreRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'mailboxId'?: (number | string | Long);
  'uids'?: (_mail_v1_UidRange)[];
  'mode'?: (_mail_v1_StoreMode);
  'flags'?: (string)[];
  'unchangedSince'?: (number | string | Long);
  'owner'?: (string);
}

export interface StoreRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'mailboxId': (number);
  'uids': (_mail_v1_UidRange__Output)[];
  'mode': (_mail_v1_StoreMode__Output);
  'flags': (string)[];
  'unchangedSince': (number);
  'owner': (string);
}
