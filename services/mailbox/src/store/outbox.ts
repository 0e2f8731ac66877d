// The transactional outbox and its relay. Every change inserts its event in
// the transaction of the change; the relay publishes unsent rows in event_id
// order and marks them sent. A crash between publish and mark re-publishes
// (at least once); events are doorbells, so duplicates are harmless.
import type { ChangeEvent, ChangePublisher, Database, Logger, Queryable } from '@kimap/common';

export async function recordChange(tx: Queryable, event: ChangeEvent): Promise<void> {
  await tx.query('INSERT INTO outbox (account_id, payload) VALUES ($1, $2)', [event.accountId, JSON.stringify(event)]);
}

const RELAY_LOCK = 7283452;

export interface RelayOptions {
  batchSize?: number;
  /** How often to look for rows left by other processes (or by a crash). */
  pollIntervalMs?: number;
  /** Sent rows are deleted after this long. */
  retentionMs?: number;
  log?: Logger;
  onPublished?: (count: number) => void;
}

export class OutboxRelay {
  private running = false;
  private again = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastCleanup = 0;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retentionMs: number;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly publisher: ChangePublisher,
    private readonly opts: RelayOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 500;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.retentionMs = opts.retentionMs ?? 3_600_000;
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Called after a commit that wrote outbox rows: relays them now. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.idle = this.drain().finally(() => {
      this.running = false;
    });
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      try {
        let n: number;
        do {
          n = await this.relayBatch();
        } while (n === this.batchSize && !this.stopped);
        await this.cleanup();
      } catch (err) {
        // Kafka or the database is away: rows stay unsent and the poll retries.
        this.opts.log?.warn({ err }, 'outbox relay failed; will retry');
        return;
      }
    } while (this.again && !this.stopped);
  }

  /** Publishes one batch; returns how many rows it relayed. */
  async relayBatch(): Promise<number> {
    return this.db.transaction(async (tx) => {
      // One relay at a time keeps each account's events in order.
      await tx.query('SELECT pg_advisory_xact_lock($1)', [RELAY_LOCK]);
      const { rows } = await tx.query<{ account_id: number; event_id: number; payload: ChangeEvent | string }>(
        'SELECT account_id, event_id, payload FROM outbox WHERE sent_at IS NULL ORDER BY event_id LIMIT $1',
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      const events = rows.map((r) => (typeof r.payload === 'string' ? (JSON.parse(r.payload) as ChangeEvent) : r.payload));
      await this.publisher.publish(events);
      await tx.query(
        'UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL AND (account_id, event_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))',
        [rows.map((r) => r.account_id), rows.map((r) => r.event_id)],
      );
      this.opts.onPublished?.(rows.length);
      return rows.length;
    });
  }

  private async cleanup(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60_000) return;
    this.lastCleanup = now;
    await this.db.query("DELETE FROM outbox WHERE sent_at < now() - $1::bigint * interval '1 millisecond'", [this.retentionMs]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle;
  }
}
