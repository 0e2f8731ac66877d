// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface AppendResponse {
  'mailboxId'?: (number | string | Long);
  'uidvalidity'?: (number);
  'uids'?: (number)[];
  'modseq'?: (number | string | Long);
  'claimedFirst'?: (number);
  'claimedLast'?: (number);
}

export interface AppendResponse__Output {
  'mailboxId': (number);
  'uidvalidity': (number);
  'uids': (number)[];
  'modseq': (number);
  'claimedFirst': (number);
  'claimedLast': (number);
}
