// The shared metric pieces: FastHistogram reads as prom-client's Histogram
// does, statements get small fixed labels, and families shared by services
// of one process are made once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { connectionMetrics, FastHistogram, grpcClientMetrics, limitHits, statementKind } from '../src/index.js';

describe('FastHistogram', () => {
  test('exposes what prom-client’s Histogram exposes for the same observations', async () => {
    const buckets = [0.001, 0.01, 0.1, 1];
    const ours = new Registry();
    const theirs = new Registry();
    for (const r of [ours, theirs]) r.setDefaultLabels({ service: 'test' });
    const fast = new FastHistogram('h_seconds', 'help text', ['command', 'status'], buckets, ours);
    const slow = new Histogram({ name: 'h_seconds', help: 'help text', labelNames: ['command', 'status'], buckets, registers: [theirs] });
    const noop = fast.series({ command: 'NOOP', status: 'OK' });
    const fetch = fast.series({ command: 'FETCH', status: 'NO' });
    assert.equal(fast.series({ status: 'OK', command: 'NOOP' }), noop, 'one series per label set');
    for (const v of [0.0005, 0.001, 0.002, 0.5, 3, 0.05]) {
      noop.observe(v);
      slow.observe({ command: 'NOOP', status: 'OK' }, v);
    }
    fetch.observe(0.02);
    slow.observe({ command: 'FETCH', status: 'NO' }, 0.02);
    // prom-client writes `le` first; the order of labels means nothing to Prometheus.
    const normalize = (text: string) =>
      text
        .split('\n')
        .map((l) => l.replace(/\{([^}]*)\}/, (_, inner: string) => `{${inner.split(',').sort().join(',')}}`))
        .sort();
    assert.deepEqual(normalize(await ours.metrics()), normalize(await theirs.metrics()));
  });

  test('a histogram without labels, and reset', async () => {
    const r = new Registry();
    const h = new FastHistogram('lat_seconds', 'latency', [], [1], r);
    h.series({}).observe(2);
    assert.match(
      await r.metrics(),
      /^lat_seconds_bucket\{le="1"\} 0\nlat_seconds_bucket\{le="\+Inf"\} 1\nlat_seconds_sum 2\nlat_seconds_count 1$/m,
    );
    h.reset();
    assert.match(await r.metrics(), /^lat_seconds_count 0$/m);
  });
});

describe('statementKind', () => {
  const cases: Array<[string, string]> = [
    ['SELECT uid FROM messages WHERE mailbox_id = $1', 'select'],
    ['  select 1', 'select'],
    ['(SELECT 1) UNION (SELECT 2)', 'select'],
    ['INSERT INTO outbox (account_id) VALUES ($1)', 'insert'],
    ['update outbox SET sent_at = now()', 'update'],
    ['DELETE FROM outbox WHERE sent_at < $1', 'delete'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'with'],
    ['BEGIN', 'begin'],
    ['COMMIT', 'commit'],
    ['SELECT * FROM kimap_append($1, $2, $3)', 'kimap_append'],
    ['SELECT kimap_record_change($1, $2, $3, $4)', 'kimap_record_change'],
    ['SELECT a AS account_id, kimap_record_change(a, 0, 0, $1) FROM unnest($2::bigint[]) a', 'kimap_record_change'],
    ['SELECT mykimap_thing($1)', 'select'],
    ['SELECT kimap_column FROM t', 'select'],
    ['VACUUM outbox', 'other'],
    ['', 'other'],
  ];
  for (const [sql, kind] of cases) {
    test(`${JSON.stringify(sql)} → ${kind}`, () => assert.equal(statementKind(sql), kind));
  }
});

describe('families shared by the services of one process', () => {
  test('are made once per registry', async () => {
    const r = new Registry();
    const edge = connectionMetrics(r, 'imap');
    const lmtp = connectionMetrics(r, 'lmtp');
    assert.equal(connectionMetrics(r, 'imap'), edge);
    assert.equal(limitHits(r), limitHits(r));
    assert.equal(grpcClientMetrics(r), grpcClientMetrics(r));
    edge.opened('imap', false);
    edge.upgraded('imap');
    lmtp.opened('lmtp', false);
    edge.received += 10;
    lmtp.sent += 5;
    const text = await r.metrics();
    assert.match(text, /^kimap_connections_open\{listener="imap",tls="true"\} 1$/m);
    assert.match(text, /^kimap_connections_open\{listener="imap",tls="false"\} 0$/m);
    assert.match(text, /^kimap_connections_total\{listener="lmtp",tls="false"\} 1$/m);
    assert.match(text, /^kimap_bytes_received_total\{protocol="imap"\} 10$/m);
    assert.match(text, /^kimap_bytes_sent_total\{protocol="lmtp"\} 5$/m);
    edge.received += 1;
    assert.match(await r.metrics(), /^kimap_bytes_received_total\{protocol="imap"\} 11$/m);
  });
});
