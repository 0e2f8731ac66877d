// Original file: proto/mail/v1/mailbox.proto

import type { FetchedMessage as _mail_v1_FetchedMessage, FetchedMessage__Output as _mail_v1_FetchedMessage__Output } from '../../mail/v1/FetchedMessage.js';
import type { MessageColumns as _mail_v1_MessageColumns, MessageColumns__Output as _mail_v1_MessageColumns__Output } from '../../mail/v1/MessageColumns.js';

export interface FetchResponse {
  'messages'?: (_mail_v1_FetchedMessage)[];
  'columns'?: (_mail_v1_MessageColumns | null);
}

export interface FetchResponse__Output {
  'messages': (_mail_v1_FetchedMessage__Output)[];
  'columns': (_mail_v1_MessageColumns__Output | null);
}
