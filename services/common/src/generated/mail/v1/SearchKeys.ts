// Original file: proto/mail/v1/mailbox.proto

import type { SearchKey as _mail_v1_SearchKey, SearchKey__Output as _mail_v1_SearchKey__Output } from '../../mail/v1/SearchKey.js';

export interface SearchKeys {
  'keys'?: (_mail_v1_SearchKey)[];
}

export interface SearchKeys__Output {
  'keys': (_mail_v1_SearchKey__Output)[];
}
