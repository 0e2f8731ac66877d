import type { Database, Logger } from '@kimap/common';
import type { Counter } from 'prom-client';
import type { LoginThrottle } from './login-throttle.js';
import type { MetadataCache } from './store/metadata-cache.js';
import type { RecordedEvent } from './store/outbox.js';

/** What every RPC handler needs. */
export interface MailboxContext {
  db: Database;
  log: Logger;
  /** Called after a commit that wrote outbox rows: the relay publishes them. */
  changed(): void;
  /** Called after a commit with the events it recorded: published at once by this process. */
  committed(events: Array<RecordedEvent | undefined>): void;
  /** UIDs, MODSEQs and flags of big mailboxes in memory, for FETCHes of those alone. */
  metadata?: MetadataCache;
  /** Checks logins under the failure counts of their clients. */
  logins: LoginThrottle;
  /** Sessions refused by a connection limit, by limit. */
  sessionLimitRefusals?: Counter;
}
