// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface MailboxStatus {
  'mailboxId'?: (number | string | Long);
  'name'?: (string);
  'uidvalidity'?: (number);
  'uidnext'?: (number);
  'highestmodseq'?: (number | string | Long);
  'messages'?: (number);
  'unseen'?: (number);
  'deleted'?: (number);
  'size'?: (number | string | Long);
  'keywords'?: (string)[];
  'specialUse'?: (string);
  'expungedFloorModseq'?: (number | string | Long);
  'rights'?: (string);
  'deletedSize'?: (number | string | Long);
  'firstRecentUid'?: (number | string | Long);
  'claimedFirst'?: (number);
  'claimedLast'?: (number);
  'recent'?: (number);
  'firstUnseenUid'?: (number);
}

export interface MailboxStatus__Output {
  'mailboxId': (number);
  'name': (string);
  'uidvalidity': (number);
  'uidnext': (number);
  'highestmodseq': (number);
  'messages': (number);
  'unseen': (number);
  'deleted': (number);
  'size': (number);
  'keywords': (string)[];
  'specialUse': (string);
  'expungedFloorModseq': (number);
  'rights': (string);
  'deletedSize': (number);
  'firstRecentUid': (number);
  'claimedFirst': (number);
  'claimedLast': (number);
  'recent': (number);
  'firstUnseenUid': (number);
}
