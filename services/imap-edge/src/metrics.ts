// The edge's metrics. Everything a session does costs at most a counter
// increment or a series observation here: no label set is made per session,
// and command series are made once per command name and status.
import {
  connectionMetrics,
  FastHistogram,
  LATENCY_BUCKETS,
  limitHits,
  quotaRefusals,
  type ConnectionMetrics,
  type HistogramSeries,
  type LimitKind,
} from '@kimap/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BodyCache } from './body-cache.js';
import type { HeaderCache } from './header-cache.js';
import type { MailboxViews } from './mailbox-view.js';

/** How a command ended: its tagged status, or BYE when the session ended under it. */
export type CommandStatus = 'OK' | 'NO' | 'BAD' | 'BYE';
const STATUSES: readonly CommandStatus[] = ['OK', 'NO', 'BAD', 'BYE'];

/** Why a command was answered BAD (kimap_imap_bad_commands_total). */
export type BadCommandKind = 'unknown' | 'syntax' | 'state' | 'refused' | 'limit';

/** How a client logged in: LOGIN, or AUTHENTICATE PLAIN or LOGIN. */
export type LoginMechanism = 'login' | 'plain' | 'login-sasl';
export type LoginResult = 'success' | 'bad_credentials' | 'disabled' | 'throttled' | 'limit' | 'tls_required' | 'error';

/** The label of commands the edge does not know. */
export const OTHER_COMMAND = 'OTHER';

export interface EdgeMetrics {
  feedUp: Gauge;
  /** Connections by listener and TLS, and the bytes they carry (counted by the connections). */
  connections: ConnectionMetrics;
  badCommand(kind: BadCommandKind): void;
  limitHit(kind: LimitKind): void;
  login(mechanism: LoginMechanism, result: LoginResult): void;
  quotaRefused(): void;
  /** Sessions in IDLE now. */
  idleSessions: Gauge;
  /** Sessions the edge ended, by reason: login_failures, account_disabled. */
  sessionsEnded: Counter;
  events: Counter;
  /** FETCHes of headers that could be answered from the edge's header cache, by whether they were. */
  headerCacheFetches: Counter;
  /** Reports the cache's size with every scrape. */
  watchHeaderCache(cache: HeaderCache): void;
  bodyCacheFetches: Counter;
  watchBodyCache(cache: BodyCache): void;
  /** Metadata FETCHes by who answered: view (the edge's mailbox view) or service. */
  viewFetches: Counter<'result'>;
  /** Reports the messages the mailbox views hold, and whether the feed is current enough to use them, with every scrape. */
  watchViews(views: MailboxViews): void;
  /** Reports, with every scrape, the output the edge holds that its clients have not taken. */
  watchUnsent(unsentBytes: () => number): void;
  /** `name`: the command's name as the registry knows it, or OTHER_COMMAND. */
  observeCommand(name: string, status: CommandStatus, seconds: number): void;
  /** An IDLE session was woken by an event committed at `at` (ms since the epoch). */
  observePush(at: number): void;
}

export function createEdgeMetrics(registry: Registry): EdgeMetrics {
  const registers = [registry];
  const commands = new FastHistogram(
    'kimap_imap_command_duration_seconds',
    'IMAP commands from their last byte to their tagged reply, by command (OTHER: unknown) and status (OK, NO, BAD; BYE: the session ended under it)',
    ['command', 'status'],
    LATENCY_BUCKETS,
    registry,
  );
  const byCommand = new Map<string, HistogramSeries[]>();
  const push = new FastHistogram(
    'kimap_change_push_latency_seconds',
    'From the commit of a change to the moment an IDLE session it concerns is woken to report it',
    [],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registry,
  ).series({});
  const badCommands = new Counter({
    name: 'kimap_imap_bad_commands_total',
    help: 'Commands answered with BAD, by kind: unknown (command), syntax, state (not valid in the state), refused (by the command), limit',
    labelNames: ['kind'],
    registers,
  });
  const limits = limitHits(registry);
  const logins = new Counter({
    name: 'kimap_logins_total',
    help: 'IMAP logins by mechanism (login, plain, login-sasl) and result',
    labelNames: ['mechanism', 'result'],
    registers,
  });
  const quota = quotaRefusals(registry);
  return {
    feedUp: new Gauge({
      name: 'kimap_change_feed_up',
      help: '1 while the change feed delivers events, 0 while sessions poll',
      registers,
    }),
    connections: connectionMetrics(registry, 'imap'),
    badCommand: (kind) => badCommands.inc({ kind }),
    limitHit: (kind) => limits.inc({ kind }),
    login: (mechanism, result) => logins.inc({ mechanism, result }),
    quotaRefused: () => quota.inc({ protocol: 'imap' }),
    idleSessions: new Gauge({ name: 'kimap_imap_idle_sessions', help: 'Sessions in IDLE now', registers }),
    sessionsEnded: new Counter({
      name: 'kimap_imap_sessions_ended_total',
      help: 'Connections the edge ended with BYE, by reason: login_failures (IMAP_MAX_LOGIN_FAILURES reached), account_disabled',
      labelNames: ['reason'],
      registers,
    }),
    events: new Counter({ name: 'kimap_change_events_received_total', help: 'Change events received from the bus', registers }),
    headerCacheFetches: new Counter({
      name: 'kimap_edge_header_cache_fetches_total',
      help: 'FETCHes of header sections the edge could answer from its header cache: hit (only flags asked of the mailbox service) or miss',
      labelNames: ['result'],
      registers,
    }),
    watchHeaderCache(cache) {
      new Gauge({
        name: 'kimap_edge_header_cache_bytes',
        help: 'Bytes held by the edge header cache',
        registers,
        collect() {
          this.set(cache.heldBytes);
        },
      });
      new Gauge({
        name: 'kimap_edge_header_cache_entries',
        help: 'Messages the edge header cache holds something of (header block, envelope, body structure)',
        registers,
        collect() {
          this.set(cache.size);
        },
      });
    },
    bodyCacheFetches: new Counter({
      name: 'kimap_edge_body_cache_fetches_total',
      help: 'FETCHes of message text (no \\Seen set) the edge could answer from its body cache: hit (only flags asked of the view or the mailbox service) or miss',
      labelNames: ['result'],
      registers,
    }),
    watchBodyCache(cache) {
      new Gauge({
        name: 'kimap_edge_body_cache_bytes',
        help: 'Bytes held by the edge body cache',
        registers,
        collect() {
          this.set(cache.heldBytes);
        },
      });
      new Gauge({
        name: 'kimap_edge_body_cache_entries',
        help: 'Messages whose text the edge body cache holds',
        registers,
        collect() {
          this.set(cache.size);
        },
      });
    },
    viewFetches: new Counter({
      name: 'kimap_edge_view_fetches_total',
      help: "FETCHes of metadata (flags, UIDs, MODSEQs, sizes, dates, cached headers) by who answered: view (the edge's mailbox view, no round trip) or service",
      labelNames: ['result'],
      registers,
    }),
    watchViews(views) {
      new Gauge({
        name: 'kimap_edge_view_messages',
        help: "Messages the edge's mailbox views hold (bounded by EDGE_VIEW_MAX_MESSAGES)",
        registers,
        collect() {
          this.set(views.heldMessages);
        },
      });
      new Gauge({
        name: 'kimap_change_feed_current',
        help: 'Whether the change feed is current within FEED_CURRENT_WITHIN_MS (1): the mailbox views may answer; 0: every read asks the mailbox service',
        registers,
        collect() {
          this.set(views.current() ? 1 : 0);
        },
      });
    },
    watchUnsent(unsentBytes) {
      new Gauge({
        name: 'kimap_imap_unsent_bytes',
        help: 'Output the edge holds that its clients have not read yet (bounded per connection by IMAP_MAX_OUTPUT_BYTES)',
        registers,
        collect() {
          this.set(unsentBytes());
        },
      });
    },
    observeCommand(name, status, seconds) {
      let row = byCommand.get(name);
      if (!row) byCommand.set(name, (row = []));
      const i = STATUSES.indexOf(status);
      (row[i] ??= commands.series({ command: name, status })).observe(seconds);
    },
    observePush(at) {
      push.observe(Math.max(0, Date.now() - at) / 1000);
    },
  };
}
