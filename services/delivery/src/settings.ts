import { envBool, envInt, envString } from '@kimap/common';
import { hostname } from 'node:os';

/** The delivery listener's settings (documented in docs/hosting/delivery.md). */
export interface DeliverySettings {
  /** The name in the greeting and in the Received field. */
  hostname: string;
  /** Largest message taken, in bytes (SIZE in LHLO; larger ones get 552 5.3.4). */
  maxMessageSize: number;
  /** Recipients per transaction; more get 452 4.5.3 and come in the next. */
  maxRecipients: number;
  /** Connections at once; more get 421. */
  maxConnections: number;
  /** A connection silent for this long is closed. */
  socketTimeoutMs: number;
  /** How long a call to the mailbox service may take. */
  mailboxDeadlineMs: number;
  /** Over quota is permanent (552 5.2.2: the MTA bounces) rather than temporary (452 4.2.2: it retries). */
  quotaPermanent: boolean;
}

export function deliverySettingsFromEnv(): DeliverySettings {
  return {
    hostname: envString('LMTP_HOSTNAME', hostname()),
    maxMessageSize: envInt('LMTP_MAX_MESSAGE_SIZE', 50 * 1024 * 1024),
    maxRecipients: envInt('LMTP_MAX_RECIPIENTS', 100),
    maxConnections: envInt('LMTP_MAX_CONNECTIONS', 1000),
    socketTimeoutMs: envInt('LMTP_TIMEOUT_MS', 60_000),
    mailboxDeadlineMs: envInt('MAILBOX_DEADLINE_MS', 30_000),
    quotaPermanent: envBool('LMTP_QUOTA_PERMANENT', false),
  };
}
