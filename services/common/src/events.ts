// The change feed. An event is a doorbell: "account A, mailbox M changed up to
// MODSEQ n". Sessions that hear it pull the exact changes from the mailbox
// service, so a lost, duplicated or reordered event only delays a
// notification. Kafka in the cluster, an in-process bus in the embedded default.
import { EventEmitter } from 'node:events';
import { Kafka, logLevel, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import { outsideTraces, tracing, type TraceHeaders } from './tracing.js';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * What changed: messages (append, flags, expunge), the mailbox list (mailbox),
 * a mailbox's access control list (acl: MODSEQ 0; sessions that have it
 * selected check their rights), or the account itself (account: disabled,
 * enabled, removed, password changed; mailboxId and modseq 0).
 */
export type ChangeKind = 'append' | 'flags' | 'expunge' | 'mailbox' | 'acl' | 'account';

const CHANGE_KINDS: readonly string[] = ['append', 'flags', 'expunge', 'mailbox', 'acl', 'account'] satisfies ChangeKind[];

export interface ChangeEvent {
  accountId: number;
  mailboxId: number;
  /** Highest MODSEQ of the mailbox after the change; 0 for mailbox-list and account changes. */
  modseq: number;
  kind: ChangeKind;
  /**
   * While tracing: the trace context of the change (the call that committed
   * it), sent as Kafka message headers, not in the event's JSON.
   */
  trace?: TraceHeaders;
  /** When the change was committed (ms since the epoch), when known: what the push latency is measured from. */
  at?: number;
}

export type ChangeHandler = (event: ChangeEvent) => void;

export interface ChangePublisher {
  /** Resolves once the events are durably accepted by the bus. */
  publish(events: ChangeEvent[]): Promise<void>;
  close(): Promise<void>;
}

export interface ChangeSubscriber {
  subscribe(handler: ChangeHandler): Promise<void>;
  /** False while events may be missed (bus unreachable): sessions then poll. */
  readonly healthy: boolean;
  /**
   * The feed's liveness: a time (ms since the epoch) such that every event
   * the bus accepted before it has been handed to the handler; 0 when not
   * known. An edge trusts the view it keeps of a mailbox only while this is
   * recent (FEED_CURRENT_WITHIN_MS).
   */
  currentAsOf(): number;
  close(): Promise<void>;
}

export function encodeEvent(e: ChangeEvent): string {
  return JSON.stringify({
    accountId: e.accountId,
    mailboxId: e.mailboxId,
    modseq: e.modseq,
    kind: e.kind,
    ...(e.at !== undefined && { at: e.at }),
  });
}

/** The text headers of a Kafka message (a trace context); undefined when it has none. */
function textHeaders(headers: IHeaders | undefined): TraceHeaders | undefined {
  let out: TraceHeaders | undefined;
  for (const key in headers) {
    const v = headers[key];
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) (out ??= {})[key] = first.toString();
  }
  return out;
}

/** Parses an event from the wire; undefined for anything malformed (ignored, never fatal). */
export function decodeEvent(raw: Buffer | string | null | undefined): ChangeEvent | undefined {
  if (raw == null) return undefined;
  try {
    const v = JSON.parse(raw.toString()) as Partial<ChangeEvent>;
    if (typeof v.accountId !== 'number' || typeof v.mailboxId !== 'number' || typeof v.modseq !== 'number') return undefined;
    const kind = v.kind ?? 'append';
    if (!CHANGE_KINDS.includes(kind)) return undefined;
    const event: ChangeEvent = { accountId: v.accountId, mailboxId: v.mailboxId, modseq: v.modseq, kind };
    if (typeof v.at === 'number' && Number.isFinite(v.at)) event.at = v.at;
    return event;
  } catch {
    return undefined;
  }
}

/** Both ends of the bus in one process (embedded default and unit tests). */
export class InProcessBus implements ChangePublisher, ChangeSubscriber {
  private readonly emitter = new EventEmitter();
  readonly healthy = true;
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  publish(events: ChangeEvent[]): Promise<void> {
    // Delivered on a later tick, like a real bus: never inside the publisher's call stack (nor its trace).
    outsideTraces(() =>
      setImmediate(() => {
        for (const e of events) this.emitter.emit('change', e);
      }),
    );
    return Promise.resolve();
  }
  subscribe(handler: ChangeHandler): Promise<void> {
    this.emitter.on('change', handler);
    return Promise.resolve();
  }
  /** Events are handed on a tick after they are published: current up to the moment. */
  currentAsOf(): number {
    return Date.now();
  }
  close(): Promise<void> {
    this.emitter.removeAllListeners();
    return Promise.resolve();
  }
}

export interface KafkaOptions {
  brokers: string[];
  topic: string;
  clientId: string;
}

function kafkaClient(opts: KafkaOptions): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
  });
}

/** Creates the topic when it is missing (idempotent). */
export async function ensureTopic(opts: KafkaOptions, partitions = 6): Promise<void> {
  const admin = kafkaClient(opts).admin();
  await admin.connect();
  try {
    // A broker that has just started may not know a topic it has just created
    // (UNKNOWN_TOPIC_OR_PARTITION while waiting for its leaders): ask again, a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = await admin.listTopics();
        if (!existing.includes(opts.topic)) {
          await admin.createTopics({
            topics: [{ topic: opts.topic, numPartitions: partitions, replicationFactor: 1 }],
            waitForLeaders: true,
          });
        }
        return;
      } catch (err) {
        if (attempt >= 5 || (err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

export class KafkaPublisher implements ChangePublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;
  private readonly produced?: Counter;
  private readonly produceErrors?: Counter;

  constructor(private readonly opts: KafkaOptions & { registry?: Registry }) {
    // Idempotent producer: retries never reorder or duplicate within a partition.
    this.producer = kafkaClient(opts).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
    if (opts.registry) {
      const registers = [opts.registry];
      this.produced = new Counter({ name: 'kimap_kafka_produced_messages_total', help: 'Change events written to Kafka', registers });
      this.produceErrors = new Counter({
        name: 'kimap_kafka_produce_errors_total',
        help: 'Writes to Kafka that failed (after the client retried); the outbox keeps their events for the relay',
        registers,
      });
    }
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  async publish(events: ChangeEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.connect();
      // Keyed by account: one partition per account keeps its events in order.
      await this.producer.send({
        topic: this.opts.topic,
        acks: -1,
        messages: events.map((e) => ({ key: String(e.accountId), value: encodeEvent(e), ...(e.trace && { headers: e.trace }) })),
      });
    } catch (err) {
      this.produceErrors?.inc();
      throw err;
    }
    this.produced?.inc(events.length);
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect().catch(() => undefined);
  }
}

export class KafkaSubscriber implements ChangeSubscriber {
  private readonly consumer: Consumer;
  /** Last sign of life from the group (join, heartbeat, fetch). */
  private lastAlive = 0;
  private closed = false;

  private readonly consumed?: Counter;
  private readonly lag?: Gauge<'partition'>;
  private readonly restarts?: Counter;

  /** groupId must be unique per edge pod: every pod sees every event. */
  constructor(
    private readonly opts: KafkaOptions & { groupId: string; log?: { warn(obj: object, msg: string): void }; registry?: Registry },
  ) {
    if (opts.registry) {
      const registers = [opts.registry];
      this.consumed = new Counter({ name: 'kimap_kafka_consumed_messages_total', help: 'Change events read from Kafka', registers });
      this.lag = new Gauge({
        name: 'kimap_kafka_consumer_lag',
        help: "Events in a partition not yet read by this pod's consumer (high watermark minus the next offset, as of its last fetch)",
        labelNames: ['partition'],
        registers,
      });
      this.restarts = new Counter({
        name: 'kimap_kafka_consumer_restarts_total',
        help: 'Times the change feed consumer stopped for good and was started again',
        registers,
      });
    }
    this.consumer = kafkaClient(opts).consumer({
      groupId: opts.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      // A fetch returns once 1 KB of events is there or 10 ms have passed: under
      // load one fetch carries many events (fewer requests for the broker and
      // the edge), while a lone event waits at most 10 ms.
      minBytes: 1024,
      maxWaitTimeInMs: 10,
      allowAutoTopicCreation: true,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    const alive = () => (this.lastAlive = Date.now());
    const { GROUP_JOIN, HEARTBEAT, FETCH, FETCH_START, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, () => {
      alive();
      // A new membership: the loops start counting afresh.
      this.loops.clear();
    });
    this.consumer.on(HEARTBEAT, alive);
    this.consumer.on(FETCH, alive);
    // The fetch loop of each broker: fetch, hand the batches on, fetch again.
    // A fetch that began at T returns every event the broker had accepted by
    // then (up to the partition's end, unless the answer was cut short: a
    // batch still behind the end). So when the next fetch begins, the events
    // accepted before T have all been handed on: the feed is current as of T.
    this.consumer.on(FETCH_START, (e) => {
      const node = String(e.payload.nodeId);
      const now = Date.now();
      const loop = this.loops.get(node);
      if (loop && !loop.behind) loop.currentAsOf = loop.startedAt;
      if (loop) {
        loop.startedAt = now;
        loop.behind = false;
      } else this.loops.set(node, { startedAt: now, behind: false, currentAsOf: 0 });
    });
    // kafkajs restarts a crashed consumer only when the error's cause is
    // retriable; a broker restart can end in one that is not, and the feed
    // would stay down for good. Start it again ourselves.
    this.consumer.on(CRASH, (e) => {
      if (e.payload.restart || this.closed || !this.handler) return;
      this.opts.log?.warn({ err: e.payload.error }, 'change feed consumer stopped; starting it again');
      this.restarts?.inc();
      void this.restart();
    });
  }

  private handler?: ChangeHandler;
  private restarting = false;
  /**
   * Where this consumer is in each partition (the next offset to read). A
   * consumer started again joins its group afresh, and with no committed
   * offsets it would start at the newest event, skipping whatever was
   * published while it was away; it goes on from here instead.
   */
  private readonly positions = new Map<number, string>();

  private async restart(): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    try {
      await new Promise((r) => setTimeout(r, 1000));
      await this.consumer.disconnect().catch(() => undefined);
      this.loops.clear();
      if (!this.closed && this.handler) await this.start(this.handler);
    } finally {
      this.restarting = false;
    }
  }

  /** Each broker's fetch loop (see FETCH_START): when its fetch began, whether a batch of it was behind, what it shows. */
  private readonly loops = new Map<string, { startedAt: number; behind: boolean; currentAsOf: number }>();

  /** The least current of the brokers' fetch loops; 0 before each has gone round once, or while not consuming. */
  currentAsOf(): number {
    if (this.closed || this.loops.size === 0 || !this.healthy) return 0;
    let min = Infinity;
    for (const l of this.loops.values()) min = Math.min(min, l.currentAsOf);
    return min;
  }

  /** Healthy while the consumer showed life in the last few seconds (it heartbeats every second). */
  get healthy(): boolean {
    return !this.closed && Date.now() - this.lastAlive < 5000;
  }

  /**
   * Starts consuming; resolves once the group is joined and a first fetch
   * has completed (by then the starting offsets are resolved, so no later
   * event can be skipped). While the broker is unreachable it keeps trying in
   * the background, and the promise stays pending.
   */
  async subscribe(handler: ChangeHandler): Promise<void> {
    let fetched!: () => void;
    const ready = new Promise<void>((resolve) => (fetched = resolve));
    let joinedGroup = false;
    const offJoin = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      joinedGroup = true;
      offJoin();
    });
    const offFetch = this.consumer.on(this.consumer.events.FETCH, () => {
      if (!joinedGroup) return;
      offFetch();
      fetched();
    });
    void this.start(handler);
    await ready;
  }

  private async start(handler: ChangeHandler): Promise<void> {
    this.handler = handler;
    for (let delay = 500; !this.closed; delay = Math.min(delay * 2, 10_000)) {
      try {
        await this.consumer.connect();
        // Only new events matter: sessions resync by MODSEQ when they (re)select.
        await this.consumer.subscribe({ topic: this.opts.topic, fromBeginning: false });
        // No offsets are committed: a restarted pod starts at the newest event
        // anyway, and a commit per fetched batch is work for the broker.
        await this.consumer.run({
          autoCommit: false,
          eachBatch: ({ batch }) => {
            for (const message of batch.messages) {
              const e = decodeEvent(message.value);
              if (!e) continue;
              if (tracing.on) {
                const trace = textHeaders(message.headers);
                if (trace) e.trace = trace;
              }
              handler(e);
            }
            const last = batch.messages[batch.messages.length - 1];
            if (last) this.positions.set(batch.partition, (BigInt(last.offset) + 1n).toString());
            // More than this fetch brought is waiting: the loop is not current yet.
            if (Number(batch.offsetLag()) > 0) for (const l of this.loops.values()) l.behind = true;
            this.consumed?.inc(batch.messages.length);
            this.lag?.set({ partition: String(batch.partition) }, Math.max(0, Number(batch.offsetLag())));
            return Promise.resolve();
          },
        });
        for (const [partition, offset] of this.positions) this.consumer.seek({ topic: this.opts.topic, partition, offset });
        return;
      } catch (err) {
        this.opts.log?.warn({ err }, 'change feed unavailable; sessions poll until it is back');
        await this.consumer.disconnect().catch(() => undefined);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.consumer.disconnect().catch(() => undefined);
  }
}
