// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';
import type { Long } from '@grpc/proto-loader';

export interface GetChangesRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'mailboxId'?: (number | string | Long);
  'sinceModseq'?: (number | string | Long);
  'owner'?: (string);
  'claimRecent'?: (boolean);
}

export interface GetChangesRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'mailboxId': (number);
  'sinceModseq': (number);
  'owner': (string);
  'claimRecent': (boolean);
}
