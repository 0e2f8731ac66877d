// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface MailboxInfo {
  'mailboxId'?: (number | string | Long);
  'name'?: (string);
  'specialUse'?: (string);
  'subscribed'?: (boolean);
  'uidvalidity'?: (number);
  'hasChildren'?: (boolean);
  'owner'?: (string);
  'rights'?: (string);
}

export interface MailboxInfo__Output {
  'mailboxId': (number);
  'name': (string);
  'specialUse': (string);
  'subscribed': (boolean);
  'uidvalidity': (number);
  'hasChildren': (boolean);
  'owner': (string);
  'rights': (string);
}
