// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';
import type { Long } from '@grpc/proto-loader';

export interface AppendRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'mailbox'?: (string);
  'flags'?: (string)[];
  'internalDateMs'?: (number | string | Long);
  'message'?: (Buffer | Uint8Array | string);
}

export interface AppendRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'mailbox': (string);
  'flags': (string)[];
  'internalDateMs': (number);
  'message': (Buffer);
}
