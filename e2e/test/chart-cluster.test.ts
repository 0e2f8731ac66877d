// The chart's own configuration runs a working cluster. charts/kimap is rendered
// with helm template (a test values file naming Secrets the test applies), and
// every Deployment's pods and the migration Job run as local processes with the
// container's command line and environment as Kubernetes would give them
// (e2e/src/chart-cluster.ts). Then, as an operator and clients would: imapctl as
// NOTES.txt says, LOGIN after STARTTLS with the Secret's certificate, APPEND
// through one edge, IDLE on the other, a delivery over LMTP, the probes, SIGTERM.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { ensureTopic, openDatabase } from '@kimap/common';
import { kafkaBrokers, uniqueName } from '@kimap/common/testing/services';
import { LmtpClient } from '@kimap/delivery/testing/lmtp-client';
import { selfSignedTls } from '@kimap/imap-edge/tls';
import {
  helm,
  helmSkipReason,
  NAMESPACE,
  productionValues,
  render,
  renderArgs,
  RELEASE,
  testValues,
  type RenderOptions,
} from '../../charts/test/helm.js';
import { repoRoot, tempDir, waitForMetric } from '../src/cluster.js';
import {
  accepts,
  configMap,
  containerEnv,
  emptyDatabase,
  expand,
  MACHINE_VARIABLES,
  ObjectStore,
  planPods,
  rewrittenVariables,
  secret,
  settingsInSources,
  startChartCluster,
  type ChartCluster,
  type KubeContainer,
  type KubeService,
  type LocalPod,
  type PodIdentity,
} from '../src/chart-cluster.js';

const IMAP_NAME = 'imap.example.test';
const USER = 'alice@example.org';
const PASSWORD = 'correct horse battery staple';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

/**
 * The only variables whose values differ from what the chart renders, by
 * component: the ports a process listens on (free local ones), the mailbox
 * Service's DNS name (127.0.0.1 and the mailbox pod's local port), and paths in
 * a volume (/tmp, the TLS Secret's mount). DATA_DIR and HOME are /tmp paths of
 * the chart or the image's ENV.
 */
const REWRITTEN: Record<string, string[]> = {
  migrate: ['DATA_DIR', 'HOME'],
  mailbox: ['ADMIN_GRPC_LISTEN', 'DATA_DIR', 'GRPC_LISTEN', 'HOME', 'OPS_PORT'],
  edge: ['DATA_DIR', 'HOME', 'IMAPS_PORT', 'IMAP_PORT', 'MAILBOX_ADDRESS', 'OPS_PORT', 'TLS_CERT_FILE', 'TLS_KEY_FILE'],
  delivery: ['DATA_DIR', 'HOME', 'LMTP_PORT', 'MAILBOX_ADDRESS', 'OPS_PORT'],
};

/** The greeting and the CAPABILITY line a plain connection is given before STARTTLS. */
function plainCapability(port: number): Promise<{ greeting: string; capability: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer on port ${port}`)));
    socket.once('error', reject);
    let text = '';
    let asked = false;
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (!asked && text.includes('\r\n')) {
        asked = true;
        socket.write('c1 CAPABILITY\r\n');
      }
      const done = /\r\nc1 \w+[^\r]*\r\n$/.exec(text);
      if (done) {
        socket.end('c2 LOGOUT\r\n');
        const [greeting, ...rest] = text.split('\r\n');
        resolve({ greeting: greeting!, capability: rest.find((l) => l.startsWith('* CAPABILITY')) ?? '' });
      }
    });
  });
}

describe('a container’s environment, as the kubelet builds it', () => {
  const pod: PodIdentity = {
    name: 'kimap-edge-7d9c5b6f4d-x2k9q',
    namespace: 'mail',
    uid: 'u1',
    labels: { 'app.kubernetes.io/component': 'edge' },
    annotations: {},
    serviceAccountName: 'kimap',
    nodeName: 'node-1',
    ip: '10.0.0.7',
  };
  const store = new ObjectStore([
    secret('db', { url: 'postgres://db/kimap', extra: 'x' }),
    configMap('settings', { A: 'from-map', 'not a name': 'x' }),
  ]);

  test('envFrom first, then env in order, each value expanded against what came before', () => {
    const env = containerEnv(
      {
        name: 'c',
        image: 'i',
        envFrom: [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'db' }, prefix: 'DB_' }],
        env: [
          { name: 'URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
          { name: 'A', value: 'own' },
          { name: 'B', value: '$(URL)?app=$(POD) $$(A) $(UNKNOWN)' },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'ROLE', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/component']" } } },
          { name: 'FROM_MAP', valueFrom: { configMapKeyRef: { name: 'settings', key: 'A' } } },
          { name: 'GONE', valueFrom: { secretKeyRef: { name: 'nothing', key: 'k', optional: true } } },
        ],
      },
      pod,
      store,
    );
    assert.deepEqual(env, {
      A: 'own',
      DB_url: 'postgres://db/kimap',
      DB_extra: 'x',
      URL: 'postgres://db/kimap',
      B: 'postgres://db/kimap?app=$(POD) $(A) $(UNKNOWN)',
      POD: pod.name,
      ROLE: 'edge',
      FROM_MAP: 'from-map',
    });
  });

  test('a missing Secret, key or ConfigMap stops the container, unless optional', () => {
    const run =
      (e: KubeContainer['env'], envFrom: KubeContainer['envFrom'] = []) =>
      () =>
        containerEnv({ name: 'c', image: 'i', env: e, envFrom }, pod, store);
    assert.throws(run([{ name: 'X', valueFrom: { secretKeyRef: { name: 'nothing', key: 'k' } } }]), /Secret "nothing" not found/);
    assert.throws(run([{ name: 'X', valueFrom: { secretKeyRef: { name: 'db', key: 'uri' } } }]), /couldn't find key uri in Secret db/);
    assert.throws(run([], [{ configMapRef: { name: 'nothing' } }]), /envFrom ConfigMap "nothing" not found/);
    assert.deepEqual(run([], [{ configMapRef: { name: 'nothing', optional: true } }])(), {});
    assert.throws(run([{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }]), /not one a pod offers/);
  });

  test('expand leaves what it does not know, and $$ is a dollar', () => {
    assert.equal(expand('$(A)-$(B)-$$(A)-$$$(A)-$A', { A: '1' }), '1-$(B)-$(A)-$1-$A');
  });
});

describe('charts/kimap as local processes: the chart’s configuration runs a cluster', { skip: helmSkipReason }, () => {
  const dir = tempDir('kimap-chart-cluster-');
  let db: Awaited<ReturnType<typeof emptyDatabase>> | undefined;
  let brokers: string;
  let topic: string;
  let tls: { cert: Buffer; key: Buffer };
  let notes: string;
  let cluster: ChartCluster | undefined;
  const clients: ImapFlow[] = [];

  before(async () => {
    // bin/kimap, the image's entry point, runs the compiled services.
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: repoRoot, stdio: 'inherit' });
    db = await emptyDatabase();
    brokers = (await kafkaBrokers()).join(',');
    topic = uniqueName('kimap-chart');
    // As a KafkaTopic (Strimzi) would declare it.
    await ensureTopic({ brokers: brokers.split(','), topic, clientId: 'chart-e2e-setup' });
    tls = await selfSignedTls(join(dir.path, 'certificate'), IMAP_NAME);

    const opts: RenderOptions = { values: [testValues('local-cluster.yaml')], set: [`kafka.brokers={${brokers}}`, `kafka.topic=${topic}`] };
    const manifests = await render(opts);
    const install = await helm(['install', ...renderArgs(opts).slice(1), '--dry-run=client']);
    assert.equal(install.code, 0, install.stderr);
    notes = install.stdout.slice(install.stdout.indexOf('NOTES:'));

    // What the operator applies before installing: the Secrets and the ConfigMap the values name.
    const applied = [
      secret('kimap-e2e-db', { url: db.url }),
      secret('kimap-e2e-tls', { 'tls.crt': tls.cert.toString(), 'tls.key': tls.key.toString() }, 'kubernetes.io/tls'),
      secret('kimap-e2e-admin', { token: ADMIN_TOKEN }),
      configMap('kimap-e2e-edge', { CHANGE_POLL_INTERVAL_MS: '600000' }),
    ];
    cluster = await startChartCluster({
      objects: [...manifests.all, ...applied],
      namespace: NAMESPACE,
      dir: join(dir.path, 'pods'),
      // Two edges, as the edge's HorizontalPodAutoscaler starts with; one of the others is enough here.
      replicas: { [`${RELEASE}-mailbox`]: 1, [`${RELEASE}-delivery`]: 1 },
    });
  });

  after(async () => {
    for (const c of clients) await c.logout().catch(() => c.close());
    cluster?.kill();
    await db?.drop();
    dir.remove();
  });

  const pods = (): LocalPod[] => cluster!.pods;
  const one = (component: string): LocalPod => cluster!.component(component)[0]!;

  test('runs the pods the chart asks for: the migration Job first, then the mailbox, two edges and delivery', () => {
    assert.deepEqual(
      cluster!.jobs.map((j) => [j.plan.owner, j.code]),
      [[`Job/${RELEASE}-migrate`, 0]],
    );
    assert.deepEqual(
      pods()
        .map((p) => p.plan.component)
        .sort(),
      ['delivery', 'edge', 'edge', 'mailbox'],
    );
  });

  test('runs each container’s command line: the image’s entry point with the chart’s arguments', () => {
    for (const plan of [...cluster!.jobs.map((j) => j.plan), ...pods().map((p) => p.plan)]) {
      const sub = plan.component;
      assert.deepEqual(plan.renderedArgv, ['node', '/app/bin/kimap', sub], plan.owner);
      assert.deepEqual(plan.argv, ['node', join(repoRoot, 'bin/kimap'), sub], plan.owner);
      assert.equal(plan.cwd, join(repoRoot, ''), plan.owner);
    }
  });

  test('changes only the listen ports, the Service addresses and the paths of each environment', () => {
    for (const plan of [...cluster!.jobs.map((j) => j.plan), ...pods().map((p) => p.plan)]) {
      const where = `${plan.owner} (${plan.pod.name})`;
      assert.deepEqual(rewrittenVariables(plan), REWRITTEN[plan.component], `${where}: the variables rewritten`);
      assert.deepEqual(
        Object.keys(plan.env).sort(),
        [...new Set([...Object.keys(plan.rendered), ...MACHINE_VARIABLES])].sort(),
        `${where}: no variable left out, none added but ${MACHINE_VARIABLES.join(', ')}`,
      );
      for (const name of ['IMAP_PORT', 'IMAPS_PORT', 'LMTP_PORT', 'OPS_PORT'])
        if (name in plan.rendered) assert.equal(plan.env[name], String(plan.ports.get(Number(plan.rendered[name]))), `${where} ${name}`);
      for (const name of ['DATA_DIR', 'HOME', 'TLS_CERT_FILE', 'TLS_KEY_FILE'])
        if (name in plan.rendered) assert.ok(plan.env[name]!.startsWith(join(plan.dir, 'volumes')), `${where} ${name}: ${plan.env[name]}`);
    }
    const mailbox = one('mailbox');
    assert.equal(mailbox.plan.rendered.GRPC_LISTEN, '0.0.0.0:50051');
    assert.equal(mailbox.plan.env.GRPC_LISTEN, `0.0.0.0:${mailbox.port('grpc')}`, 'the host as the chart says, the port moved');
    for (const p of [...cluster!.component('edge'), one('delivery')]) {
      assert.equal(p.plan.rendered.MAILBOX_ADDRESS, `${RELEASE}-mailbox:50051`);
      assert.equal(p.plan.env.MAILBOX_ADDRESS, `127.0.0.1:${mailbox.port('grpc')}`);
    }
  });

  test('resolves the Secrets, the ConfigMap and the pod’s name into the environment', () => {
    const mailbox = one('mailbox').plan;
    const migrate = cluster!.jobs[0]!.plan;
    for (const plan of [mailbox, migrate]) assert.equal(plan.env.DATABASE_URL, db!.url, `${plan.owner}: DATABASE_URL from the Secret`);
    assert.equal(mailbox.env.ADMIN_TOKEN, ADMIN_TOKEN);
    for (const plan of [mailbox, ...cluster!.component('edge').map((p) => p.plan)]) {
      assert.equal(plan.env.KAFKA_BROKERS, brokers, plan.owner);
      assert.equal(plan.env.KAFKA_TOPIC, topic, plan.owner);
    }
    for (const p of pods()) assert.equal(p.plan.env.POD_NAME, p.plan.pod.name, `${p.plan.owner}: POD_NAME from metadata.name`);
    const [edge1, edge2] = cluster!.component('edge');
    assert.notEqual(edge1!.plan.env.POD_NAME, edge2!.plan.env.POD_NAME, 'each edge its own name, so its own consumer group');
    assert.equal(edge1!.plan.env.CHANGE_POLL_INTERVAL_MS, '600000', 'envFrom the ConfigMap');
    assert.equal(
      readFileSync(edge1!.plan.env.TLS_CERT_FILE!, 'utf8'),
      tls.cert.toString(),
      'the Secret mounted where TLS_CERT_FILE points',
    );
    assert.equal(readFileSync(edge1!.plan.env.TLS_KEY_FILE!, 'utf8'), tls.key.toString());
  });

  test('sets only variables that kimap reads', () => {
    const read = settingsInSources();
    for (const plan of [...cluster!.jobs.map((j) => j.plan), ...pods().map((p) => p.plan)])
      for (const { name } of plan.container.env ?? []) assert.ok(read.has(name), `${plan.owner} sets ${name}, which no service reads`);
  });

  test('the production example’s pods would run the same way: the same variables rewritten, every Secret key found', async () => {
    const manifests = await render({ values: [productionValues], apiVersions: ['monitoring.coreos.com/v1'] });
    const plans = await planPods({
      objects: [
        ...manifests.all,
        secret('kimap-db-app', { uri: 'postgres://kimap@db/kimap' }),
        secret('imap-example-org-tls', { 'tls.crt': tls.cert.toString(), 'tls.key': tls.key.toString() }, 'kubernetes.io/tls'),
        secret('kimap-admin', { token: ADMIN_TOKEN }),
      ],
      namespace: NAMESPACE,
      dir: join(dir.path, 'production'),
    });
    assert.deepEqual([...new Set(plans.map((p) => p.component))].sort(), ['delivery', 'edge', 'mailbox', 'migrate']);
    for (const plan of plans) assert.deepEqual(rewrittenVariables(plan), REWRITTEN[plan.component], plan.owner);
  });

  test('the migration Job applied every migration to the empty database', async () => {
    const files = readdirSync(join(repoRoot, 'migrations')).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f));
    const conn = await openDatabase(db!.url, { max: 1 });
    try {
      const { rows } = await conn.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations');
      assert.equal(Number(rows[0]!.n), files.length);
    } finally {
      await conn.close();
    }
  });

  test('every pod listens on each port it declares and answers its startup, liveness and readiness probes', async () => {
    for (const p of pods()) {
      for (const { name, containerPort } of p.plan.container.ports ?? [])
        assert.ok(await accepts(p.port(containerPort)), `${p.name}: port ${name} (${containerPort}) listens`);
      for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const)
        assert.equal(await p.probe(kind), 200, `${p.name} ${kind}`);
    }
  });

  test('every Service reaches a listening port of each pod it selects', async () => {
    for (const svc of cluster!.objects.filter((o): o is KubeService => o.kind === 'Service')) {
      for (const { port } of svc.spec.ports) {
        const endpoints = cluster!.endpoints(svc.metadata.name, port);
        assert.ok(endpoints.length > 0, `${svc.metadata.name}:${port} has endpoints`);
        for (const local of endpoints) assert.ok(await accepts(local), `${svc.metadata.name}:${port} → 127.0.0.1:${local}`);
      }
    }
  });

  test('the metrics Service reaches /metrics of every pod, each series labelled with its service', async () => {
    const services: Record<string, string> = { edge: 'imap-edge', mailbox: 'mailbox', delivery: 'delivery' };
    const endpoints = cluster!.endpoints(`${RELEASE}-metrics`, 9100);
    assert.deepEqual(
      endpoints,
      pods().map((p) => p.opsPort),
    );
    for (const p of pods()) {
      const res = await fetch(`http://127.0.0.1:${p.opsPort}/metrics`);
      assert.equal(res.status, 200, p.name);
      assert.match(
        await res.text(),
        new RegExp(`^process_cpu_user_seconds_total\\{service="${services[p.plan.component]}"\\} `, 'm'),
        p.name,
      );
    }
  });

  test('creates the first tenant and user with imapctl, as NOTES.txt tells the operator', async () => {
    const lines = notes
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('kubectl ') && l.includes(' imapctl '));
    assert.equal(lines.length, 3, notes);
    const files = { 'alice.pw': `${PASSWORD}\n` };
    for (const line of lines) {
      const r = await cluster!.kubectlExec(line, files);
      assert.equal(r.code, 0, `${line}\n${r.stdout}${r.stderr}`);
    }
    const list = await cluster!.kubectlExec(lines.find((l) => l.endsWith('user list'))!);
    assert.match(list.stdout, new RegExp(USER.replace('.', '\\.')));
  });

  test('the STARTTLS port refuses LOGIN before STARTTLS, and after it serves the Secret’s certificate', async () => {
    const port = cluster!.endpoints(`${RELEASE}-edge`, 143)[0]!;
    const { greeting, capability } = await plainCapability(port);
    assert.match(greeting, /^\* OK /);
    assert.match(capability, / STARTTLS\b/);
    assert.match(capability, / LOGINDISABLED\b/, 'allowPlaintextAuth is false by default');
    const c = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      doSTARTTLS: true,
      servername: IMAP_NAME,
      tls: { ca: [tls.cert] },
      auth: { user: USER, pass: PASSWORD },
      logger: false,
    });
    clients.push(c);
    await c.connect();
    assert.ok(c.authenticated);
  });

  describe('through the Services: APPEND on one edge and LMTP delivery reach IDLE on the other', () => {
    let idle: ImapFlow;
    const counts: number[] = [];
    const waiting: ((n: number) => void)[] = [];
    /** The count of the next EXISTS the IDLE session is sent. */
    const nextExists = async (what: string): Promise<number> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          new Promise<number>((resolve) => (counts.length ? resolve(counts.shift()!) : waiting.push(resolve))),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no EXISTS pushed after ${what} within 30 s`)), 30_000);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    };

    before(async () => {
      for (const edge of cluster!.component('edge')) await waitForMetric(edge, 'kimap_change_feed_up', (v) => v === 1);
      // The IMAPS port of the second edge, through the Service's 993.
      const port = cluster!.endpoints(`${RELEASE}-edge`, 993)[1]!;
      idle = new ImapFlow({
        host: '127.0.0.1',
        port,
        secure: true,
        servername: IMAP_NAME,
        tls: { ca: [tls.cert] },
        auth: { user: USER, pass: PASSWORD },
        logger: false,
      });
      clients.push(idle);
      await idle.connect();
      await idle.mailboxOpen('INBOX');
      idle.on('exists', (e: { count: number }) => {
        const w = waiting.shift();
        if (w) w(e.count);
        else counts.push(e.count);
      });
      void idle.idle();
    });

    test('an APPEND through the first edge (STARTTLS port) is pushed to the IDLE session on the second', async () => {
      const port = cluster!.endpoints(`${RELEASE}-edge`, 143)[0]!;
      const c = new ImapFlow({
        host: '127.0.0.1',
        port,
        secure: false,
        doSTARTTLS: true,
        servername: IMAP_NAME,
        tls: { ca: [tls.cert] },
        auth: { user: USER, pass: PASSWORD },
        logger: false,
      });
      clients.push(c);
      await c.connect();
      const appended = await c.append(
        'INBOX',
        Buffer.from(`From: bob@example.net\r\nTo: ${USER}\r\nSubject: appended\r\n\r\nthrough edge 1\r\n`),
      );
      assert.ok(appended && appended.uid);
      assert.equal(await nextExists('the APPEND'), 1);
    });

    test('a message delivered over LMTP through the delivery Service on port 24 is pushed too', async () => {
      const port = cluster!.endpoints(`${RELEASE}-delivery`, 24)[0]!;
      const { client, greeting } = await LmtpClient.open(port);
      try {
        assert.equal(greeting.code, 220);
        assert.match(greeting.text, /^lmtp\.example\.test /, 'delivery.hostname in the greeting');
        const [rcpt] = await client.envelope('bob@example.net', [USER]);
        assert.equal(rcpt?.code, 250, rcpt?.text);
        const message = `From: bob@example.net\r\nTo: ${USER}\r\nSubject: delivered\r\n\r\nover LMTP\r\n`;
        const [done] = await client.data(message, 1);
        assert.equal(done?.code, 250, done?.text);
      } finally {
        await client.quit();
      }
      assert.equal(await nextExists('the LMTP delivery'), 2);
    });
  });

  test('every pod ends on SIGTERM with exit 0 within its terminationGracePeriodSeconds', async () => {
    for (const c of clients.splice(0)) await c.logout().catch(() => c.close());
    for (const { pod, code, ms } of await cluster!.stop()) {
      assert.equal(code, 0, `${pod.name}:\n${pod.output.join('').slice(-2000)}`);
      assert.ok(ms < pod.plan.terminationGracePeriodSeconds * 1000, `${pod.name} took ${ms} ms`);
    }
  });
});
