// The transactional outbox and its relay. Every change inserts its event in
// the transaction of the change. The process that committed it publishes the
// event right away (it knows the row's event_id) and marks rows sent in
// batches; the relay publishes, in event_id order, whatever stays unsent
// longer than a grace period (a crash, the bus away) or when kicked. A crash
// between publish and mark re-publishes (at least once); events are
// doorbells, so duplicates and order across accounts are harmless.
import {
  outsideTraces,
  traceHeaders,
  tracing,
  type ChangeEvent,
  type ChangePublisher,
  type Database,
  type Logger,
  type Queryable,
} from '@kimap/common';

/** An event with the outbox row that holds it. */
export interface RecordedEvent extends ChangeEvent {
  eventId: number;
}

/** Writes the outbox row of a change, in the caller's transaction (the same SQL function the write functions use). */
export async function recordChange(tx: Queryable, event: ChangeEvent): Promise<void> {
  await tx.query('SELECT kimap_record_change($1, $2, $3, $4)', [event.accountId, event.mailboxId, event.modseq, event.kind]);
}

/** The event a write function (migration 0006) recorded; undefined when it changed nothing. */
export function recorded(
  accountId: number,
  mailboxId: number,
  modseq: number,
  kind: ChangeEvent['kind'],
  eventId: number | null | undefined,
): RecordedEvent | undefined {
  return eventId ? { accountId, mailboxId, modseq, kind, eventId } : undefined;
}

const RELAY_LOCK = 7283452;
const MAX_QUEUED = 10_000;

export interface RelayOptions {
  batchSize?: number;
  /** How often to look for rows left by other processes (or by a crash). */
  pollIntervalMs?: number;
  /** Sent rows are deleted after this long. */
  retentionMs?: number;
  /** The poll leaves rows younger than this to the process that wrote them. */
  graceMs?: number;
  /** Rows published by their writer are marked sent at most this long after. */
  markDelayMs?: number;
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
  private readonly graceMs: number;
  private readonly markDelayMs: number;
  private idle: Promise<void> = Promise.resolve();
  /** Events waiting for the publisher (the writer's fast path). */
  private queued: RecordedEvent[] = [];
  private sending?: Promise<void>;
  /** Published by the fast path, not yet marked sent. */
  private toMark: RecordedEvent[] = [];
  private markTimer?: NodeJS.Timeout;
  private marking: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly publisher: ChangePublisher,
    private readonly opts: RelayOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 500;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.retentionMs = opts.retentionMs ?? 3_600_000;
    this.graceMs = opts.graceMs ?? 2000;
    this.markDelayMs = opts.markDelayMs ?? 100;
  }

  /**
   * The fast path: publishes events its own process just committed. Events
   * that arrive while a publish is under way go out together in the next one.
   * A failure leaves the rows unsent for the relay's poll. While tracing, each
   * event carries the context of the call that committed it (the relay's poll
   * publishes without).
   */
  publishCommitted(events: Array<RecordedEvent | undefined>): void {
    const now = Date.now();
    for (const e of events) {
      if (!e) continue;
      if (tracing.on) e.trace = traceHeaders();
      e.at ??= now;
      this.queued.push(e);
    }
    // The bus is away for long: what does not fit waits in the outbox for the relay.
    if (this.queued.length > MAX_QUEUED) this.queued.splice(0, this.queued.length - MAX_QUEUED);
    if (this.stopped || this.sending || this.queued.length === 0) return;
    // The publishing and the marking of a batch belong to no one call's trace.
    this.sending = outsideTraces(() => this.sendQueued()).finally(() => {
      this.sending = undefined;
      if (this.queued.length) this.publishCommitted([]);
    });
  }

  private async sendQueued(): Promise<void> {
    const batch = this.queued;
    this.queued = [];
    try {
      await this.publisher.publish(batch.map(({ eventId: _id, ...event }) => event));
    } catch (err) {
      this.opts.log?.warn({ err }, 'publishing committed events failed; the relay will retry');
      return;
    }
    this.opts.onPublished?.(batch.length);
    for (const e of batch) this.toMark.push(e);
    this.markTimer ??= setTimeout(() => {
      this.markTimer = undefined;
      this.marking = this.markSent();
    }, this.markDelayMs);
  }

  /** Marks what the fast path published as sent, in one statement. */
  private async markSent(): Promise<void> {
    const rows = this.toMark;
    this.toMark = [];
    if (rows.length === 0) return;
    try {
      await this.db.query(
        'UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL AND (account_id, event_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))',
        [rows.map((r) => r.accountId), rows.map((r) => r.eventId)],
      );
    } catch (err) {
      // Left unsent, the relay publishes them again: a duplicate doorbell.
      this.opts.log?.warn({ err }, 'marking published events failed');
    }
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.run(this.graceMs), this.pollIntervalMs);
    this.timer.unref();
    this.run(0);
  }

  /** Called after a commit that wrote outbox rows it did not publish itself: relays them now. */
  kick(): void {
    this.run(0);
  }

  private minAgeMs = 0;

  private run(minAgeMs: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      this.minAgeMs = Math.min(this.minAgeMs, minAgeMs);
      return;
    }
    this.running = true;
    this.minAgeMs = minAgeMs;
    this.idle = outsideTraces(() => this.drain()).finally(() => {
      this.running = false;
    });
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      const minAge = this.minAgeMs;
      this.minAgeMs = this.graceMs;
      try {
        let n: number;
        do {
          n = await this.relayBatch(minAge);
        } while (n === this.batchSize && !this.stopped);
        await this.cleanup();
      } catch (err) {
        // Kafka or the database is away: rows stay unsent and the poll retries.
        this.opts.log?.warn({ err }, 'outbox relay failed; will retry');
        return;
      }
    } while (this.again && !this.stopped);
  }

  /** Publishes one batch of rows at least minAgeMs old; returns how many rows it relayed. */
  async relayBatch(minAgeMs = 0): Promise<number> {
    return this.db.transaction(async (tx) => {
      // One relay at a time keeps each account's events in order.
      await tx.query('SELECT pg_advisory_xact_lock($1)', [RELAY_LOCK]);
      const { rows } = await tx.query<{ account_id: number; event_id: number; payload: ChangeEvent | string; at: number }>(
        `SELECT account_id, event_id, payload, (extract(epoch FROM created_at) * 1000)::float8 AS at FROM outbox
          WHERE sent_at IS NULL AND created_at <= now() - $2::bigint * interval '1 millisecond'
          ORDER BY event_id LIMIT $1`,
        [this.batchSize, minAgeMs],
      );
      if (rows.length === 0) return 0;
      const events = rows.map((r) => ({
        ...(typeof r.payload === 'string' ? (JSON.parse(r.payload) as ChangeEvent) : r.payload),
        at: r.at,
      }));
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
    await this.sending;
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = undefined;
    await this.marking;
    await this.markSent();
    await this.idle;
  }
}

/** The outbox rows not yet marked sent (counted up to a million), and how old the oldest is. */
export async function outboxBacklog(db: Queryable): Promise<{ unsent: number; oldestSeconds: number }> {
  const { rows } = await db.query<{ unsent: number; age: number | null }>(
    `SELECT (SELECT count(*) FROM (SELECT 1 FROM outbox WHERE sent_at IS NULL LIMIT 1000000) u) AS unsent,
            (SELECT extract(epoch FROM now() - created_at)::float8 FROM outbox WHERE sent_at IS NULL ORDER BY event_id LIMIT 1) AS age`,
  );
  return { unsent: rows[0]?.unsent ?? 0, oldestSeconds: Math.max(0, rows[0]?.age ?? 0) };
}
