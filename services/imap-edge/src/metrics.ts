import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { HeaderCache } from './header-cache.js';

export interface EdgeMetrics {
  feedUp: Gauge;
  connections: Counter;
  openConnections: Gauge;
  badCommands: Counter;
  /** Sessions the edge ended, by reason: login_failures, account_disabled. */
  sessionsEnded: Counter;
  events: Counter;
  /** FETCHes of headers that could be answered from the edge's header cache, by whether they were. */
  headerCacheFetches: Counter;
  /** Reports the cache's size with every scrape. */
  watchHeaderCache(cache: HeaderCache): void;
  observeCommand(name: string, outcome: string, seconds: number): void;
}

export function createEdgeMetrics(registry: Registry): EdgeMetrics {
  const commands = new Histogram({
    name: 'kimap_imap_command_duration_seconds',
    help: 'IMAP command latency at the edge, by command and outcome',
    labelNames: ['command', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  return {
    feedUp: new Gauge({
      name: 'kimap_change_feed_up',
      help: '1 while the change feed delivers events, 0 while sessions poll',
      registers: [registry],
    }),
    connections: new Counter({ name: 'kimap_imap_connections_total', help: 'IMAP connections accepted', registers: [registry] }),
    openConnections: new Gauge({ name: 'kimap_imap_connections_open', help: 'IMAP connections open now', registers: [registry] }),
    badCommands: new Counter({ name: 'kimap_imap_bad_commands_total', help: 'Commands answered with BAD', registers: [registry] }),
    sessionsEnded: new Counter({
      name: 'kimap_imap_sessions_ended_total',
      help: 'Connections the edge ended with BYE, by reason: login_failures (IMAP_MAX_LOGIN_FAILURES reached), account_disabled',
      labelNames: ['reason'],
      registers: [registry],
    }),
    events: new Counter({ name: 'kimap_change_events_received_total', help: 'Change events received from the bus', registers: [registry] }),
    headerCacheFetches: new Counter({
      name: 'kimap_edge_header_cache_fetches_total',
      help: 'FETCHes of header sections the edge could answer from its header cache: hit (only flags asked of the mailbox service) or miss',
      labelNames: ['result'],
      registers: [registry],
    }),
    watchHeaderCache(cache) {
      new Gauge({
        name: 'kimap_edge_header_cache_bytes',
        help: 'Bytes held by the edge header cache',
        registers: [registry],
        collect() {
          this.set(cache.heldBytes);
        },
      });
      new Gauge({
        name: 'kimap_edge_header_cache_entries',
        help: 'Messages the edge header cache holds something of (header block, envelope, body structure)',
        registers: [registry],
        collect() {
          this.set(cache.size);
        },
      });
    },
    observeCommand(name, outcome, seconds) {
      commands.observe({ command: name, outcome }, seconds);
    },
  };
}
