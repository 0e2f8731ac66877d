// Original file: proto/mail/v1/mailbox.proto

import type { FetchedMessage as _mail_v1_FetchedMessage, FetchedMessage__Output as _mail_v1_FetchedMessage__Output } from '../../mail/v1/FetchedMessage.js';

export interface FetchResponse {
  'messages'?: (_mail_v1_FetchedMessage)[];
}

export interface FetchResponse__Output {
  'messages': (_mail_v1_FetchedMessage__Output)[];
}
