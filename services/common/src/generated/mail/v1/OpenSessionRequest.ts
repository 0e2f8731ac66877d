// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';

export interface OpenSessionRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'edgeId'?: (string);
  'sessionId'?: (string);
  'remoteIp'?: (string);
  'maxPerAccount'?: (number);
  'maxPerAddress'?: (number);
  'edgeTtlMs'?: (number);
}

export interface OpenSessionRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'edgeId': (string);
  'sessionId': (string);
  'remoteIp': (string);
  'maxPerAccount': (number);
  'maxPerAddress': (number);
  'edgeTtlMs': (number);
}
