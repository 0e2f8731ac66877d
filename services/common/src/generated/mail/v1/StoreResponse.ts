// Original file: proto/mail/v1/mailbox.proto

import type { StoredFlags as _mail_v1_StoredFlags, StoredFlags__Output as _mail_v1_StoredFlags__Output } from '../../mail/v1/StoredFlags.js';

export interface StoreResponse {
  'messages'?: (_mail_v1_StoredFlags)[];
}

export interface StoreResponse__Output {
  'messages': (_mail_v1_StoredFlags__Output)[];
}
