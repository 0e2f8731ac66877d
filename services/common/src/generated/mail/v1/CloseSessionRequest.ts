// Original file: proto/mail/v1/mailbox.proto

import type { SessionKey as _mail_v1_SessionKey, SessionKey__Output as _mail_v1_SessionKey__Output } from '../../mail/v1/SessionKey.js';

export interface CloseSessionRequest {
  'edgeId'?: (string);
  'session'?: (_mail_v1_SessionKey | null);
}

export interface CloseSessionRequest__Output {
  'edgeId': (string);
  'session': (_mail_v1_SessionKey__Output | null);
}
