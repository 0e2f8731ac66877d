// Every metric the chart's dashboards and alert rules name is exported by the chart's
// own pods. charts/kimap is rendered as for a cluster with the Prometheus Operator (so
// the PrometheusRule is rendered too) and run as local processes (e2e/src/chart-cluster.ts);
// a little traffic goes through it (logins that fail and succeed, commands, a BAD one,
// a line over the limit, IDLE woken by an APPEND, LMTP deliveries and a refusal); then
// every pod's /metrics is scraped, and each name in the rendered dashboards' and rules'
// PromQL must be a series some pod exports, a name the rules record, or a metric of
// another exporter listed below.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureTopic, openDatabase } from '@kimap/common';
import { kafkaBrokers, uniqueName } from '@kimap/common/testing/services';
import { LmtpClient } from '@kimap/delivery/testing/lmtp-client';
import { selfSignedTls } from '@kimap/imap-edge/tls';
import { addUser } from '@kimap/mailbox';
import { helmSkipReason, NAMESPACE, render, RELEASE, testValues, type ConfigMap, type PrometheusRule } from '../../charts/test/helm.js';
import {
  dashboardExpressions,
  parseExposition,
  parsePromql,
  recordedNames,
  ruleExpressions,
  unexportedNames,
  unknownLabels,
  type Dashboard,
  type Expression,
  type Family,
  type RuleGroup,
} from '../../charts/test/monitoring.js';
import { ImapClient } from '../../services/imap-edge/test/support/imap-client.js';
import { repoRoot, tempDir, waitForMetric } from '../src/cluster.js';
import { configMap, emptyDatabase, secret, startChartCluster, type ChartCluster } from '../src/chart-cluster.js';

/**
 * Metrics of other exporters that the boards and rules may name, each with why:
 * what Kubernetes knows of a pod and its container, which no process can say of itself.
 */
const OTHER_EXPORTERS: ReadonlyMap<string, string> = new Map([
  [
    'kube_deployment_status_replicas_available',
    'kube-state-metrics: the ready pods of the edge Deployment, which the Service routes to (KimapNoReadyEdgePods)',
  ],
  ['kube_pod_container_resource_limits', 'kube-state-metrics: the memory limit drawn beside the working set'],
  ['kube_pod_container_status_restarts_total', 'kube-state-metrics: restarts of a container (crash loops, OOM kills)'],
  ['container_memory_working_set_bytes', 'cAdvisor (the kubelet): the memory the OOM killer weighs against the limit'],
  ['container_cpu_cfs_periods_total', 'cAdvisor: CPU scheduling periods of a container with a CPU limit'],
  ['container_cpu_cfs_throttled_periods_total', 'cAdvisor: the periods in which the CPU limit held the container back'],
]);

const USER = 'alice@example.org';
/** A user whose quota is smaller than the message an MTA announces. */
const FULL = 'full@example.org';
const PASSWORD = 'dashboards and alerts';
const MESSAGE = `From: bob@example.net\r\nTo: ${USER}\r\nSubject: hello\r\n\r\nHello.\r\n`;

describe('the metrics the chart’s dashboards and alerts name, against its running pods', { skip: helmSkipReason }, () => {
  const dir = tempDir('kimap-chart-metrics-');
  let db: Awaited<ReturnType<typeof emptyDatabase>> | undefined;
  let cluster: ChartCluster | undefined;
  const clients: ImapClient[] = [];
  let expressions: Expression[] = [];
  let recorded = new Set<string>();
  /** Every pod's families, by pod name. */
  const scraped = new Map<string, Family[]>();

  before(async () => {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: repoRoot, stdio: 'inherit' });
    db = await emptyDatabase();
    const brokers = (await kafkaBrokers()).join(',');
    const topic = uniqueName('kimap-chart-metrics');
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'chart-metrics-setup' });
    const tls = await selfSignedTls(join(dir.path, 'certificate'), 'imap.example.test');
    const manifests = await render({
      values: [testValues('local-cluster.yaml')],
      set: [`kafka.brokers={${brokers}}`, `kafka.topic=${topic}`],
      apiVersions: ['monitoring.coreos.com/v1'],
    });

    // What Grafana's sidecar and the Prometheus Operator would load: the rendered ConfigMaps and PrometheusRule.
    const boards = manifests.ofKind<ConfigMap>('ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
    assert.ok(boards.length >= 3, 'the dashboards are rendered');
    const [rule] = manifests.ofKind<PrometheusRule>('PrometheusRule');
    assert.ok(rule, 'the PrometheusRule is rendered');
    const groups = rule.spec.groups as RuleGroup[];
    expressions = [
      ...boards.flatMap((c) => Object.entries(c.data).flatMap(([key, json]) => dashboardExpressions(JSON.parse(json) as Dashboard, key))),
      ...ruleExpressions(groups, 'PrometheusRule'),
    ];
    recorded = recordedNames(groups);

    cluster = await startChartCluster({
      objects: [
        ...manifests.all,
        secret('kimap-e2e-db', { url: db.url }),
        secret('kimap-e2e-tls', { 'tls.crt': tls.cert.toString(), 'tls.key': tls.key.toString() }, 'kubernetes.io/tls'),
        secret('kimap-e2e-admin', { token: 'e2e-admin-token-0123456789abcdef' }),
        configMap('kimap-e2e-edge', { CHANGE_POLL_INTERVAL_MS: '600000' }),
      ],
      namespace: NAMESPACE,
      dir: join(dir.path, 'pods'),
      replicas: { [`${RELEASE}-edge`]: 1, [`${RELEASE}-mailbox`]: 1, [`${RELEASE}-delivery`]: 1 },
    });
    const conn = await openDatabase(db.url, { max: 1 });
    try {
      await addUser(conn, USER, PASSWORD, { createTenant: true });
      await addUser(conn, FULL, PASSWORD, { quotaBytes: 1000 });
    } finally {
      await conn.close();
    }

    // Traffic. A failed and a successful LOGIN, a few commands, a BAD one and a line over the limit.
    const [edge] = cluster.component('edge');
    await waitForMetric(edge!, 'kimap_change_feed_up', (v) => v === 1);
    const imaps = cluster.endpoints(`${RELEASE}-edge`, 993)[0]!;
    const connect = async (): Promise<ImapClient> => {
      const { client } = await ImapClient.connect(imaps, { tls: true, timeoutMs: 20_000 });
      clients.push(client);
      return client;
    };
    const wrong = await connect();
    assert.match((await wrong.command('L', `LOGIN ${USER} wrong-password`, 20_000)).tagged, /^L NO /);
    const idler = await connect();
    assert.match((await idler.command('L', `LOGIN ${USER} "${PASSWORD}"`, 20_000)).tagged, /^L OK /);
    assert.match((await idler.command('S', 'SELECT INBOX')).tagged, /^S OK /);
    assert.match((await idler.command('N', 'NOOP')).tagged, /^N OK /);
    assert.match((await idler.command('X', 'XYZZY')).tagged, /^X BAD /);
    assert.match((await idler.command('Y', `SEARCH ${'x'.repeat(70_000)}`)).tagged, /^Y BAD /);

    // IDLE, woken by another session's APPEND through Kafka.
    const writer = await connect();
    assert.match((await writer.command('L', `LOGIN ${USER} "${PASSWORD}"`, 20_000)).tagged, /^L OK /);
    idler.send('I IDLE\r\n');
    assert.match((await idler.readLine()).text, /^\+ /);
    assert.match((await writer.command('A', `APPEND INBOX {${MESSAGE.length}+}\r\n${MESSAGE}`)).tagged, /^A OK /);
    assert.match((await idler.readLine(20_000)).text, /^\* 1 EXISTS$/);
    idler.send('DONE\r\n');
    assert.match((await idler.readTagged('I')).tagged, /^I OK /);
    assert.match((await idler.command('F', 'FETCH 1 (FLAGS BODY.PEEK[HEADER])')).tagged, /^F OK /);

    // LMTP: one recipient delivered, one unknown, one over quota.
    const { client: lmtp } = await LmtpClient.open(cluster.endpoints(`${RELEASE}-delivery`, 24)[0]!);
    const rcpt = await lmtp.envelope('bob@example.net', [USER, 'nobody@example.org', FULL], ' SIZE=5000');
    assert.deepEqual(
      rcpt.map((r) => r.code),
      [250, 550, 452],
    );
    assert.deepEqual(
      (await lmtp.data(MESSAGE, 1)).map((r) => r.code),
      [250],
    );
    await lmtp.quit();
    for (const c of clients.splice(0)) await c.command('Z', 'LOGOUT').catch(() => undefined);

    // Every pod, through the metrics Service the ServiceMonitor scrapes.
    const ports = cluster.endpoints(`${RELEASE}-metrics`, 9100);
    assert.equal(ports.length, cluster.pods.length);
    for (const [i, port] of ports.entries()) {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      scraped.set(cluster.pods[i]!.name, [...parseExposition(await res.text()).values()]);
    }
  });

  after(async () => {
    for (const c of clients) await c.close();
    cluster?.kill();
    await db?.drop();
    dir.remove();
  });

  const families = (): Family[] => [...scraped.values()].flat();

  test('scrapes the edge, the mailbox service and delivery, each with kimap’s metrics and Node’s', () => {
    assert.deepEqual(cluster!.pods.map((p) => p.plan.component).sort(), ['delivery', 'edge', 'mailbox']);
    for (const [pod, fs] of scraped) {
      assert.ok(
        fs.some((f) => f.name.startsWith('kimap_')),
        pod,
      );
      assert.ok(
        fs.some((f) => f.name === 'process_cpu_seconds_total'),
        pod,
      );
    }
  });

  test('every metric named in the dashboards and rules is exported by a pod, recorded by a rule or another exporter’s', () => {
    assert.ok(expressions.length > 50, `${expressions.length} expressions`);
    assert.deepEqual(unexportedNames(expressions, families(), recorded, new Set(OTHER_EXPORTERS.keys())), []);
  });

  test('the allowlist of other exporters is short, used, and holds nothing kimap exports', () => {
    assert.ok(OTHER_EXPORTERS.size <= 8);
    const used = new Set(expressions.flatMap((e) => unexportedNames([e], [], recorded, new Set()).map((u) => u.name)));
    const exported = new Set(families().map((f) => f.name));
    for (const name of OTHER_EXPORTERS.keys()) {
      assert.ok(used.has(name), `${name} is used`);
      assert.ok(!exported.has(name), `${name} is kimap's own`);
      assert.ok(/^(kube_|container_)/.test(name), `${name}: kube-state-metrics or cAdvisor`);
    }
  });

  test('every label the expressions match on is one the metric carries', (t) => {
    assert.deepEqual(unknownLabels(expressions, families()), []);
    // Only series that exist can tell their labels: say which ones this traffic left without samples.
    const sampled = new Set(families().flatMap((f) => f.samples.map((s) => s.name)));
    const used = new Set(expressions.flatMap((e) => parsePromql(e.expr).metrics));
    t.diagnostic(
      `named without samples here: ${[...used].filter((n) => !sampled.has(n) && !recorded.has(n) && !OTHER_EXPORTERS.has(n)).join(', ')}`,
    );
  });

  test('a metric that no pod exports is found, with where it is named', () => {
    const madeUp: Expression = {
      where: 'a made-up panel',
      query: 'sum(rate(kimap_imap_made_up_total[5m])) + sum(kimap_imap_idle_sessions) + sum(rate(kimap_lmtp_deliver_seconds[5m]))',
      expr: 'sum(rate(kimap_imap_made_up_total[5m])) + sum(kimap_imap_idle_sessions) + sum(rate(kimap_lmtp_deliver_seconds[5m]))',
      variables: [],
    };
    assert.deepEqual(unexportedNames([madeUp], families(), recorded, new Set(OTHER_EXPORTERS.keys())), [
      { name: 'kimap_imap_made_up_total', where: 'a made-up panel' },
      // A histogram is queried by its _bucket, _sum and _count series, never by its family name.
      { name: 'kimap_lmtp_deliver_seconds', where: 'a made-up panel' },
    ]);
    const misspelt: Expression = { ...madeUp, expr: 'sum by (result) (kimap_logins_total{outcome="success"})' };
    assert.deepEqual(unknownLabels([misspelt], families()), [{ metric: 'kimap_logins_total', label: 'outcome', where: 'a made-up panel' }]);
  });
});
