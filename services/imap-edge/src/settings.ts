import { envBool, envInt, envString } from '@kimap/common';
import { hostname } from 'node:os';
import {
  DEFAULT_MAX_ACCOUNT_CONNECTIONS,
  DEFAULT_MAX_ACCOUNT_IP_CONNECTIONS,
  DEFAULT_MAX_LOGIN_FAILURES,
  DEFAULT_WRITE_TIMEOUT_MS,
  defaultMaxOutputBytes,
  type EdgeSettings,
} from './commands/context.js';
import { DEFAULT_BODY_CACHE_MB } from './body-cache.js';
import { DEFAULT_HEADER_CACHE_MB } from './header-cache.js';
import { DEFAULT_FEED_CURRENT_WITHIN_MS, DEFAULT_VIEW_MAX_MESSAGES } from './mailbox-view.js';

/** Edge settings from the environment (documented in the README's table). */
export function edgeSettingsFromEnv(): EdgeSettings {
  const appendLimit = envInt('IMAP_APPEND_LIMIT', 50 * 1024 * 1024);
  return {
    hostname: envString('IMAP_HOSTNAME', hostname()),
    allowPlaintextAuth: envBool('ALLOW_PLAINTEXT_AUTH', false),
    tlsAvailable: true,
    pollIntervalMs: envInt('CHANGE_POLL_INTERVAL_MS', 300_000),
    idleKeepaliveMs: envInt('IMAP_IDLE_KEEPALIVE_MS', 120_000),
    headerCacheBytes: envInt('EDGE_HEADER_CACHE_MB', DEFAULT_HEADER_CACHE_MB) * 1024 * 1024,
    bodyCacheBytes: envInt('EDGE_BODY_CACHE_MB', DEFAULT_BODY_CACHE_MB) * 1024 * 1024,
    viewMaxMessages: envInt('EDGE_VIEW_MAX_MESSAGES', DEFAULT_VIEW_MAX_MESSAGES),
    feedCurrentWithinMs: envInt('FEED_CURRENT_WITHIN_MS', DEFAULT_FEED_CURRENT_WITHIN_MS),
    limits: {
      maxLineLength: envInt('IMAP_MAX_LINE_LENGTH', 64 * 1024),
      appendLimit,
      maxBadCommands: envInt('IMAP_MAX_BAD_COMMANDS', 20),
      preAuthTimeoutMs: envInt('IMAP_PREAUTH_TIMEOUT_MS', 60_000),
      autologoutMs: envInt('IMAP_AUTOLOGOUT_MS', 30 * 60_000),
      maxLoginFailures: envInt('IMAP_MAX_LOGIN_FAILURES', DEFAULT_MAX_LOGIN_FAILURES),
      maxAccountConnections: envInt('IMAP_MAX_ACCOUNT_CONNECTIONS', DEFAULT_MAX_ACCOUNT_CONNECTIONS),
      maxAccountIpConnections: envInt('IMAP_MAX_ACCOUNT_IP_CONNECTIONS', DEFAULT_MAX_ACCOUNT_IP_CONNECTIONS),
      writeTimeoutMs: envInt('IMAP_WRITE_TIMEOUT_MS', DEFAULT_WRITE_TIMEOUT_MS),
      maxOutputBytes: envInt('IMAP_MAX_OUTPUT_BYTES', defaultMaxOutputBytes(appendLimit)),
    },
  };
}
