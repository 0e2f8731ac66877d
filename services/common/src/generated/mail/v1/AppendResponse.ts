// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface AppendResponse {
  'mailboxId'?: (number | string | Long);
  'uidvalidity'?: (number);
  'uids'?: (number)[];
  'modseq'?: (number | string | Long);
  'claimedFirst'?: (number);
  'claimedLast'?: (number);
  'sizes'?: (number | string | Long)[];
  'internalDatesMs'?: (number | string | Long)[];
  'flagLines'?: (string)[];
}

export interface AppendResponse__Output {
  'mailboxId': (number);
  'uidvalidity': (number);
  'uids': (number)[];
  'modseq': (number);
  'claimedFirst': (number);
  'claimedLast': (number);
  'sizes': (number)[];
  'internalDatesMs': (number)[];
  'flagLines': (string)[];
}
