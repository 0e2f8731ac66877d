// Original file: proto/mail/v1/mailbox.proto

import type { SessionKey as _mail_v1_SessionKey, SessionKey__Output as _mail_v1_SessionKey__Output } from '../../mail/v1/SessionKey.js';

export interface EdgeHeartbeatRequest {
  'edgeId'?: (string);
  'ttlMs'?: (number);
  'closed'?: (_mail_v1_SessionKey)[];
}

export interface EdgeHeartbeatRequest__Output {
  'edgeId': (string);
  'ttlMs': (number);
  'closed': (_mail_v1_SessionKey__Output)[];
}
