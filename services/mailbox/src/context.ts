import type { Database, Logger } from '@kimap/common';

/** What every RPC handler needs. */
export interface MailboxContext {
  db: Database;
  log: Logger;
  /** Called after a commit that wrote outbox rows. */
  changed(): void;
}
