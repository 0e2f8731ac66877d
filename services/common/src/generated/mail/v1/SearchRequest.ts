// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';
import type { SearchKey as _mail_v1_SearchKey, SearchKey__Output as _mail_v1_SearchKey__Output } from '../../mail/v1/SearchKey.js';
import type { Long } from '@grpc/proto-loader';

export interface SearchRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'mailboxId'?: (number | string | Long);
  'criteria'?: (_mail_v1_SearchKey | null);
  'owner'?: (string);
}

export interface SearchRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'mailboxId': (number);
  'criteria': (_mail_v1_SearchKey__Output | null);
  'owner': (string);
}
