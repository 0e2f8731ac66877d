// What charts/kimap renders, read from helm template's output: the image's subcommands,
// ports, probes, security contexts, hooks, scaling, network policies, monitoring.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  chartFiles,
  chartYaml,
  containerPort,
  env,
  envValue,
  helm,
  NAMESPACE,
  onlyContainer,
  productionValues,
  RELEASE,
  render,
  selects,
  skipReason,
  testValues,
  type Certificate,
  type ConfigMap,
  type Deployment,
  type HorizontalPodAutoscaler,
  type Job,
  type Manifests,
  type NetworkPolicy,
  type PodDisruptionBudget,
  type PolicyRule,
  type PrometheusRule,
  type Service,
  type ServiceAccount,
  type ServiceMonitor,
} from './helm.js';

const COMPONENTS = ['edge', 'mailbox', 'delivery'] as const;
const MONITORING = 'monitoring.coreos.com/v1';
const CERT_MANAGER = 'cert-manager.io/v1';

/** The TCP ports a policy rule opens. */
const ports = (rule: PolicyRule): (number | string)[] => (rule.ports ?? []).map((p) => p.port);

/** Who may reach a pod's port under a policy: the peers of each rule that opens it ([] = anyone). */
function ingressPeers(policy: NetworkPolicy, port: number): PolicyRule['from'][] {
  return (policy.spec.ingress ?? []).filter((r) => ports(r).includes(port)).map((r) => r.from);
}

describe('charts/kimap with its default values', { skip: skipReason }, () => {
  let m: Manifests;
  before(async () => {
    m = await render();
  });

  test('runs each service as a Deployment of the image with its subcommand, and migrate as a Job', () => {
    const { appVersion } = chartYaml();
    for (const component of COMPONENTS) {
      const container = onlyContainer(m.deployment(component).spec.template);
      assert.equal(container.image, `kimap/kimap:${appVersion}`, component);
      assert.deepEqual(container.args, [component], component);
      assert.equal(container.command, undefined, `${component} keeps the image's entry point`);
    }
    const job = onlyContainer(m.get<Job>('Job', `${RELEASE}-migrate`).spec.template);
    assert.deepEqual(job.args, ['migrate']);
    assert.equal(job.image, `kimap/kimap:${appVersion}`);
  });

  test('runs every container as uid 10001 on a read-only root without privileges, writing only to /tmp', () => {
    const templates = m.podTemplates();
    assert.equal(templates.length, 4);
    for (const { owner, template } of templates) {
      const pod = template.spec;
      assert.equal(pod.securityContext?.runAsNonRoot, true, owner);
      assert.equal(pod.securityContext?.runAsUser, 10001, owner);
      assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', owner);
      assert.equal(pod.automountServiceAccountToken, false, owner);
      assert.equal(pod.enableServiceLinks, false, `${owner}: no Service variables beside kimap's own`);
      const tmp = pod.volumes?.find((v) => v.name === 'tmp');
      assert.ok(tmp?.emptyDir, `${owner}: /tmp is an emptyDir`);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const where = `${owner} container ${c.name}`;
        const sc = c.securityContext;
        assert.equal(sc?.runAsNonRoot, true, where);
        assert.equal(sc?.runAsUser, 10001, where);
        assert.equal(sc?.readOnlyRootFilesystem, true, where);
        assert.equal(sc?.allowPrivilegeEscalation, false, where);
        assert.equal(sc?.privileged, false, where);
        assert.deepEqual(sc?.capabilities?.drop, ['ALL'], where);
        assert.equal(sc?.capabilities?.add, undefined, where);
        assert.equal(sc?.seccompProfile?.type, 'RuntimeDefault', where);
        assert.deepEqual(
          c.volumeMounts?.filter((v) => !v.readOnly).map((v) => [v.name, v.mountPath]),
          [['tmp', '/tmp']],
          `${where} writes only to /tmp`,
        );
      }
    }
  });

  test('exposes IMAP through a LoadBalancer: 143 to the edge listener on 1143, 993 to 1993', () => {
    const svc = m.get<Service>('Service', `${RELEASE}-edge`);
    const edge = onlyContainer(m.deployment('edge').spec.template);
    assert.equal(svc.spec.type, 'LoadBalancer');
    assert.equal(svc.spec.externalTrafficPolicy, 'Local');
    const target = (port: number): number => {
      const p = svc.spec.ports.find((x) => x.port === port);
      assert.ok(p, `the edge Service has port ${port}`);
      return typeof p.targetPort === 'number' ? p.targetPort : containerPort(edge, p.targetPort);
    };
    assert.equal(target(143), 1143);
    assert.equal(target(993), 1993);
    assert.deepEqual(
      svc.spec.ports.map((p) => p.port),
      [143, 993],
    );
    // The listeners are where the Service sends clients.
    assert.equal(envValue(edge, 'IMAP_PORT'), '1143');
    assert.equal(envValue(edge, 'IMAPS_PORT'), '1993');
    assert.ok(selects(svc.spec.selector, m.deployment('edge').spec.template.metadata.labels));
  });

  test('exposes LMTP inside the cluster on port 24, to the delivery listener on 2424', () => {
    const svc = m.get<Service>('Service', `${RELEASE}-delivery`);
    const delivery = onlyContainer(m.deployment('delivery').spec.template);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.ports.length, 1);
    const [lmtp] = svc.spec.ports;
    assert.equal(lmtp?.port, 24);
    assert.equal(containerPort(delivery, String(lmtp.targetPort)), 2424);
    assert.equal(envValue(delivery, 'LMTP_PORT'), '2424');
    assert.ok(selects(svc.spec.selector, m.deployment('delivery').spec.template.metadata.labels));
  });

  test('serves the mailbox service on 50051 at the address the edge and delivery are given', () => {
    const svc = m.get<Service>('Service', `${RELEASE}-mailbox`);
    const mailbox = onlyContainer(m.deployment('mailbox').spec.template);
    assert.equal(svc.spec.type, 'ClusterIP');
    const [grpc] = svc.spec.ports;
    assert.equal(containerPort(mailbox, String(grpc?.targetPort)), 50051);
    assert.equal(envValue(mailbox, 'GRPC_LISTEN'), '0.0.0.0:50051');
    for (const client of ['edge', 'delivery']) {
      assert.equal(
        envValue(onlyContainer(m.deployment(client).spec.template), 'MAILBOX_ADDRESS'),
        `${svc.metadata.name}:${grpc?.port}`,
        client,
      );
    }
    assert.ok(selects(svc.spec.selector, m.deployment('mailbox').spec.template.metadata.labels));
    assert.ok(!selects(svc.spec.selector, m.deployment('edge').spec.template.metadata.labels));
  });

  test('probes /healthz and /readyz on each service ops port, the one its OPS_PORT names', () => {
    const opsPorts = { edge: 9102, mailbox: 9101, delivery: 9103 };
    for (const component of COMPONENTS) {
      const c = onlyContainer(m.deployment(component).spec.template);
      assert.equal(containerPort(c, 'ops'), opsPorts[component], component);
      assert.equal(envValue(c, 'OPS_PORT'), String(opsPorts[component]), component);
      assert.deepEqual(c.livenessProbe?.httpGet, { path: '/healthz', port: 'ops' }, component);
      assert.deepEqual(c.startupProbe?.httpGet, { path: '/healthz', port: 'ops' }, component);
      assert.deepEqual(c.readinessProbe?.httpGet, { path: '/readyz', port: 'ops' }, component);
    }
  });

  test('gives the database URL only to the mailbox and the migration Job, from the Secret', () => {
    const secretRef = { name: 'kimap-db-app', key: 'uri' };
    const mailbox = onlyContainer(m.deployment('mailbox').spec.template);
    const migrate = onlyContainer(m.get<Job>('Job', `${RELEASE}-migrate`).spec.template);
    for (const c of [mailbox, migrate]) {
      assert.deepEqual(env(c, 'DATABASE_URL'), { name: 'DATABASE_URL', valueFrom: { secretKeyRef: secretRef } }, c.name);
    }
    for (const component of ['edge', 'delivery']) {
      assert.equal(env(onlyContainer(m.deployment(component).spec.template), 'DATABASE_URL'), undefined, component);
    }
    // The Job migrates; the mailbox pods do not race it.
    assert.equal(envValue(mailbox, 'MIGRATE_ON_START'), 'false');
  });

  test('gives the edge and the mailbox service the Kafka brokers and topic', () => {
    for (const component of ['edge', 'mailbox']) {
      const c = onlyContainer(m.deployment(component).spec.template);
      assert.equal(envValue(c, 'KAFKA_BROKERS'), 'kimap-kafka-bootstrap:9092', component);
      assert.equal(envValue(c, 'KAFKA_TOPIC'), 'kimap.mailbox-changes', component);
    }
  });

  test('names every env variable once', () => {
    for (const { owner, template } of m.podTemplates()) {
      const names = onlyContainer(template).env?.map((e) => e.name) ?? [];
      assert.deepEqual(names, [...new Set(names)], owner);
    }
  });

  test('runs the migration Job as a pre-install and pre-upgrade hook, with a ServiceAccount made before it', () => {
    const job = m.get<Job>('Job', `${RELEASE}-migrate`);
    const annotations = job.metadata.annotations ?? {};
    assert.deepEqual(annotations['helm.sh/hook']?.split(','), ['pre-install', 'pre-upgrade']);
    assert.deepEqual(annotations['helm.sh/hook-delete-policy']?.split(','), ['before-hook-creation', 'hook-succeeded']);
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    assert.ok((job.spec.backoffLimit ?? 6) <= 3);
    // Hooks run before the release's own resources exist: the Job's ServiceAccount is a hook too, made first.
    const sa = m.get<ServiceAccount>('ServiceAccount', job.spec.template.spec.serviceAccountName ?? '');
    const saAnnotations = sa.metadata.annotations ?? {};
    assert.equal(saAnnotations['helm.sh/hook'], annotations['helm.sh/hook']);
    assert.ok(Number(saAnnotations['helm.sh/hook-weight']) < Number(annotations['helm.sh/hook-weight']));
    // Nothing else is a hook.
    const hooks = m.all.filter((x) => x.metadata.annotations?.['helm.sh/hook']).map((x) => `${x.kind}/${x.metadata.name}`);
    assert.deepEqual(hooks.sort(), [`Job/${RELEASE}-migrate`, `ServiceAccount/${RELEASE}-migrate`]);
  });

  test('scales each Deployment with an autoscaling/v2 HPA, which alone sets the replicas', () => {
    const hpas = m.ofKind<HorizontalPodAutoscaler>('HorizontalPodAutoscaler');
    assert.equal(hpas.length, 3);
    for (const component of COMPONENTS) {
      const d = m.deployment(component);
      const hpa = hpas.find((h) => h.spec.scaleTargetRef.name === d.metadata.name);
      assert.ok(hpa, component);
      assert.equal(hpa.apiVersion, 'autoscaling/v2');
      assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name });
      assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas > hpa.spec.minReplicas, component);
      assert.equal(hpa.spec.metrics[0]?.resource.name, 'cpu');
      assert.equal(d.spec.replicas, undefined, `${component}: no replicas beside the HPA`);
    }
    // IMAP sessions last: the edge scales down slowly.
    const edge = hpas.find((h) => h.metadata.name === `${RELEASE}-edge`);
    assert.ok((edge?.spec.behavior?.scaleDown?.stabilizationWindowSeconds ?? 0) >= 300);
  });

  test('keeps a PodDisruptionBudget over the pods of each Deployment', () => {
    const pdbs = m.ofKind<PodDisruptionBudget>('PodDisruptionBudget');
    assert.equal(pdbs.length, 3);
    for (const component of COMPONENTS) {
      const labels = m.deployment(component).spec.template.metadata.labels;
      const own = pdbs.filter((p) => selects(p.spec.selector.matchLabels, labels));
      assert.equal(own.length, 1, component);
      assert.equal(own[0]?.spec.maxUnavailable, 1, component);
    }
  });

  test('spreads each Deployment over zones and nodes, counting only its own pods', () => {
    for (const component of COMPONENTS) {
      const template = m.deployment(component).spec.template;
      const constraints = template.spec.topologySpreadConstraints ?? [];
      assert.deepEqual(
        constraints.map((c) => c.topologyKey),
        ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'],
      );
      for (const c of constraints) {
        assert.ok(selects(c.labelSelector?.matchLabels, template.metadata.labels), component);
        for (const other of COMPONENTS.filter((x) => x !== component)) {
          assert.ok(!selects(c.labelSelector?.matchLabels, m.deployment(other).spec.template.metadata.labels), `${component} vs ${other}`);
        }
      }
    }
  });

  test('labels every resource the app.kubernetes.io way', () => {
    const { version, appVersion } = chartYaml();
    for (const x of m.all) {
      const labels = x.metadata.labels ?? {};
      const where = `${x.kind}/${x.metadata.name}`;
      assert.equal(labels['app.kubernetes.io/name'], 'kimap', where);
      assert.equal(labels['app.kubernetes.io/instance'], RELEASE, where);
      assert.equal(labels['app.kubernetes.io/version'], appVersion, where);
      assert.equal(labels['app.kubernetes.io/managed-by'], 'Helm', where);
      assert.equal(labels['helm.sh/chart'], `kimap-${version}`, where);
      assert.equal(x.metadata.namespace, NAMESPACE, where);
    }
    for (const component of COMPONENTS) {
      const d = m.deployment(component);
      assert.equal(d.spec.template.metadata.labels?.['app.kubernetes.io/component'], component);
      assert.ok(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels));
    }
  });

  test('makes no ServiceMonitor, PrometheusRule or Certificate when the cluster does not serve their APIs', () => {
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'Certificate']) assert.deepEqual(m.ofKind(kind), [], kind);
  });

  test('ships each dashboard of charts/kimap/dashboards as a ConfigMap for the Grafana sidecar', () => {
    const files = chartFiles('dashboards', '.json');
    assert.ok(files.length >= 2);
    const maps = m.ofKind<ConfigMap>('ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
    assert.equal(maps.length, files.length);
    const uids = new Set<string>();
    for (const file of files) {
      const board = JSON.parse(readFileSync(file, 'utf8')) as { uid: string; title: string; panels: unknown[] };
      const map = maps.find((c) => Object.values(c.data).some((v) => (JSON.parse(v) as { uid: string }).uid === board.uid));
      assert.ok(map, `a ConfigMap holds ${file}`);
      assert.ok(board.title && board.panels.length > 0, file);
      assert.ok(!uids.has(board.uid), `uid ${board.uid} is unique`);
      uids.add(board.uid);
    }
  });

  test('tells how to create the first tenant and user with imapctl in a mailbox pod', async () => {
    const r = await helm(['install', RELEASE, 'charts/kimap', '--namespace', NAMESPACE, '--dry-run=client']);
    assert.equal(r.code, 0, r.stderr);
    const notes = r.stdout.slice(r.stdout.indexOf('NOTES:'));
    const deploy = m.deployment('mailbox').metadata.name;
    assert.match(notes, new RegExp(`kubectl -n ${NAMESPACE} exec deploy/${deploy} -- /app/bin/kimap imapctl tenant add example\\.org`));
    assert.match(notes, new RegExp(`exec -i deploy/${deploy} -- /app/bin/kimap imapctl user add alice@example\\.org --password-stdin`));
    assert.match(notes, /self-signed/, 'warns that no certificate is configured');
  });
});

describe('charts/kimap NetworkPolicies', { skip: skipReason }, () => {
  let m: Manifests;
  let policy: (component: string) => NetworkPolicy;
  before(async () => {
    m = await render({ set: ['networkPolicy.postgresql.cidrs={10.1.0.0/16}', 'networkPolicy.kafka.cidrs={10.2.0.0/16}'] });
    policy = (component) => {
      const labels = m.deployment(component).spec.template.metadata.labels;
      const own = m.ofKind<NetworkPolicy>('NetworkPolicy').filter((p) => selects(p.spec.podSelector.matchLabels, labels));
      assert.equal(own.length, 1, component);
      return own[0] as NetworkPolicy;
    };
  });

  test('govern both directions of every component', () => {
    for (const component of COMPONENTS) assert.deepEqual(policy(component).spec.policyTypes, ['Ingress', 'Egress'], component);
  });

  test('let clients reach the edge IMAP ports and the LMTP port, and nothing else of kimap', () => {
    assert.deepEqual(ingressPeers(policy('edge'), 1143), [undefined]);
    assert.deepEqual(ingressPeers(policy('edge'), 1993), [undefined]);
    assert.deepEqual(ingressPeers(policy('delivery'), 2424), [undefined]);
    // Every other port is open only to named peers, or is an ops port (metrics, probes).
    const opsPorts = [9101, 9102, 9103];
    for (const component of COMPONENTS) {
      for (const rule of policy(component).spec.ingress ?? []) {
        if (rule.from) continue;
        for (const port of ports(rule))
          assert.ok([1143, 1993, 2424, ...opsPorts].includes(Number(port)), `${component} is open to anyone on ${port}`);
      }
    }
  });

  test('let only the edge and delivery reach the mailbox service', () => {
    const peers = ingressPeers(policy('mailbox'), 50051);
    assert.equal(peers.length, 1);
    const from = peers[0] ?? [];
    assert.equal(from.length, 2);
    for (const peer of from) assert.equal(peer.namespaceSelector, undefined, 'pods of the release namespace only');
    const selected = COMPONENTS.filter((c) =>
      from.some((p) => selects(p.podSelector?.matchLabels, m.deployment(c).spec.template.metadata.labels)),
    );
    assert.deepEqual(selected, ['edge', 'delivery']);
  });

  test('let the edge and delivery out only to the mailbox service, Kafka (the edge) and DNS', () => {
    const mailboxLabels = m.deployment('mailbox').spec.template.metadata.labels;
    for (const component of ['edge', 'delivery']) {
      const egress = policy(component).spec.egress ?? [];
      const toMailbox = egress.find((r) => ports(r).includes(50051));
      assert.ok(
        toMailbox?.to?.every((p) => selects(p.podSelector?.matchLabels, mailboxLabels)),
        component,
      );
      assert.ok(!egress.some((r) => ports(r).includes(5432)), `${component} does not reach PostgreSQL`);
      assert.ok(
        egress.every((r) => r.ports?.length),
        `${component}: every egress rule names its ports`,
      );
    }
    const edgeKafka = (policy('edge').spec.egress ?? []).find((r) => ports(r).includes(9092));
    assert.deepEqual(edgeKafka?.to, [{ ipBlock: { cidr: '10.2.0.0/16' } }]);
    assert.ok(!(policy('delivery').spec.egress ?? []).some((r) => ports(r).includes(9092)));
  });

  test('let the mailbox service out to PostgreSQL and Kafka at the networks given, and to DNS', () => {
    const egress = policy('mailbox').spec.egress ?? [];
    assert.deepEqual(
      egress.find((r) => ports(r).includes(5432)),
      { ports: [{ protocol: 'TCP', port: 5432 }], to: [{ ipBlock: { cidr: '10.1.0.0/16' } }] },
    );
    assert.deepEqual(
      egress.find((r) => ports(r).includes(9092)),
      { ports: [{ protocol: 'TCP', port: 9092 }], to: [{ ipBlock: { cidr: '10.2.0.0/16' } }] },
    );
    for (const component of COMPONENTS) {
      const dns = (policy(component).spec.egress ?? []).find((r) => ports(r).includes(53));
      assert.deepEqual(
        dns?.ports?.map((p) => p.protocol),
        ['UDP', 'TCP'],
        component,
      );
      assert.equal(dns?.to?.[0]?.podSelector?.matchLabels?.['k8s-app'], 'kube-dns', component);
    }
  });

  test('open the AdminService only to the peers named', async () => {
    const admin = await render({ set: ['admin.enabled=true', 'admin.existingSecret=kimap-admin'] });
    const mailbox = admin.ofKind<NetworkPolicy>('NetworkPolicy').find((p) => p.metadata.name === `${RELEASE}-mailbox`);
    assert.ok(mailbox);
    assert.deepEqual(ingressPeers(mailbox, 50052), [[{ podSelector: {} }]]);
  });
});

describe('charts/kimap values', { skip: skipReason }, () => {
  test('image.tag and image.digest choose the image', async () => {
    const tagged = await render({ set: ['image.repository=registry.example.org/kimap', 'image.tag=1.2.3'] });
    assert.equal(onlyContainer(tagged.deployment('edge').spec.template).image, 'registry.example.org/kimap:1.2.3');
    const digest = `sha256:${'a'.repeat(64)}`;
    const pinned = await render({ set: [`image.digest=${digest}`] });
    for (const { owner, template } of pinned.podTemplates()) assert.equal(onlyContainer(template).image, `kimap/kimap@${digest}`, owner);
  });

  test('fullnameOverride and nameOverride name the resources and the addresses between them', async () => {
    const full = await render({ set: ['fullnameOverride=mail'] });
    assert.ok(full.get<Deployment>('Deployment', 'mail-edge'));
    assert.ok(full.get<Service>('Service', 'mail-mailbox'));
    assert.equal(
      envValue(onlyContainer(full.get<Deployment>('Deployment', 'mail-edge').spec.template), 'MAILBOX_ADDRESS'),
      'mail-mailbox:50051',
    );
    const named = await render({ set: ['nameOverride=mail'] });
    const edge = named.get<Deployment>('Deployment', `${RELEASE}-mail-edge`);
    assert.equal(edge.metadata.labels?.['app.kubernetes.io/name'], 'mail');
    assert.equal(edge.spec.selector.matchLabels['app.kubernetes.io/name'], 'mail');
  });

  test('hands PROXY protocol settings to the edge only', async () => {
    const m = await render({ set: ['proxy.enabled=true', 'proxy.trustedNetworks={10.0.0.0/8,192.168.0.0/16}'] });
    const edge = onlyContainer(m.deployment('edge').spec.template);
    assert.equal(envValue(edge, 'PROXY_PROTOCOL'), 'true');
    assert.equal(envValue(edge, 'PROXY_TRUSTED_NETWORKS'), '10.0.0.0/8,192.168.0.0/16');
    const delivery = onlyContainer(m.deployment('delivery').spec.template);
    assert.equal(envValue(delivery, 'PROXY_PROTOCOL'), 'false');
    assert.equal(env(delivery, 'PROXY_TRUSTED_NETWORKS'), undefined);
  });

  test('mounts the TLS Secret where TLS_CERT_FILE and TLS_KEY_FILE point', async () => {
    const m = await render({ set: ['tls.existingSecret=imap-tls'] });
    const template = m.deployment('edge').spec.template;
    const edge = onlyContainer(template);
    const volume = template.spec.volumes?.find((v) => v.secret?.secretName === 'imap-tls');
    assert.ok(volume);
    const mount = edge.volumeMounts?.find((v) => v.name === volume.name);
    assert.equal(mount?.readOnly, true);
    for (const [variable, key] of [
      ['TLS_CERT_FILE', 'tls.crt'],
      ['TLS_KEY_FILE', 'tls.key'],
    ] as const) {
      const item: { key: string; path: string } | undefined = volume.secret?.items?.find((i) => i.key === key);
      assert.equal(envValue(edge, variable), `${mount?.mountPath}/${item?.path}`, variable);
    }
  });

  test('asks cert-manager for the certificate the edge mounts, when the cluster serves its API', async () => {
    const m = await render({ values: [productionValues, testValues('cert-manager.yaml')], apiVersions: [CERT_MANAGER] });
    const [cert, ...more] = m.ofKind<Certificate>('Certificate');
    assert.ok(cert);
    assert.equal(more.length, 0);
    assert.deepEqual(cert.spec.dnsNames, ['imap.example.org', 'imap.example.com']);
    assert.deepEqual(cert.spec.issuerRef, { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    const volumes = m.deployment('edge').spec.template.spec.volumes ?? [];
    assert.ok(volumes.some((v) => v.secret?.secretName === cert.spec.secretName));
  });

  test('turns on the AdminService with its token from a Secret and a Service of its own', async () => {
    const m = await render({ set: ['admin.enabled=true', 'admin.existingSecret=kimap-admin'] });
    const mailbox = onlyContainer(m.deployment('mailbox').spec.template);
    assert.equal(envValue(mailbox, 'ADMIN_GRPC_LISTEN'), '0.0.0.0:50052');
    assert.deepEqual(env(mailbox, 'ADMIN_TOKEN')?.valueFrom, { secretKeyRef: { name: 'kimap-admin', key: 'token' } });
    const svc = m.get<Service>('Service', `${RELEASE}-admin`);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(containerPort(mailbox, String(svc.spec.ports[0]?.targetPort)), 50052);
    const off = await render();
    assert.equal(envValue(onlyContainer(off.deployment('mailbox').spec.template), 'ADMIN_GRPC_LISTEN'), 'off');
    assert.deepEqual(
      off.ofKind<Service>('Service').filter((s) => s.metadata.name.endsWith('-admin')),
      [],
    );
  });

  test('passes env maps through, numbers as whole numbers, a component map over the global one', async () => {
    const m = await render({
      set: [
        'env.LMTP_MAX_MESSAGE_SIZE=52428800',
        'delivery.env.LMTP_MAX_MESSAGE_SIZE=104857600',
        'env.LOGIN_THROTTLE_EXEMPT=10.0.0.0/8',
        'mailbox.env.DATABASE_URL=postgres://nowhere',
        'edge.env.ALLOW_PLAINTEXT_AUTH=true',
      ],
    });
    const delivery = onlyContainer(m.deployment('delivery').spec.template);
    assert.equal(envValue(delivery, 'LMTP_MAX_MESSAGE_SIZE'), '104857600');
    assert.equal(envValue(onlyContainer(m.deployment('edge').spec.template), 'LMTP_MAX_MESSAGE_SIZE'), '52428800');
    assert.equal(envValue(onlyContainer(m.deployment('edge').spec.template), 'ALLOW_PLAINTEXT_AUTH'), 'true');
    const mailbox = onlyContainer(m.deployment('mailbox').spec.template);
    assert.equal(envValue(mailbox, 'LOGIN_THROTTLE_EXEMPT'), '10.0.0.0/8');
    // The Secret's URL stays: a map cannot put a password into the manifest in its place.
    assert.ok(env(mailbox, 'DATABASE_URL')?.valueFrom?.secretKeyRef);
    assert.equal(mailbox.env?.filter((e) => e.name === 'DATABASE_URL').length, 1);
  });

  test('sets replicas on the Deployments when autoscaling is off', async () => {
    const m = await render({ set: COMPONENTS.flatMap((c) => [`${c}.autoscaling.enabled=false`, `${c}.replicaCount=3`]) });
    assert.deepEqual(m.ofKind('HorizontalPodAutoscaler'), []);
    for (const component of COMPONENTS) assert.equal(m.deployment(component).spec.replicas, 3, component);
  });

  test('leaves delivery out when it is disabled, and its way into the mailbox service', async () => {
    const m = await render({ set: ['delivery.enabled=false'] });
    assert.ok(!m.all.some((x) => x.metadata.labels?.['app.kubernetes.io/component'] === 'delivery'));
    const mailbox = m.get<NetworkPolicy>('NetworkPolicy', `${RELEASE}-mailbox`);
    assert.equal(ingressPeers(mailbox, 50051)[0]?.length, 1);
  });

  test('scrapes every pod through a ServiceMonitor, with the labels kube-prometheus-stack selects by', async () => {
    const m = await render({ apiVersions: [MONITORING], set: ['metrics.serviceMonitor.labels.release=kube-prometheus-stack'] });
    const [sm] = m.ofKind<ServiceMonitor>('ServiceMonitor');
    assert.ok(sm);
    assert.equal(sm.metadata.labels?.release, 'kube-prometheus-stack');
    assert.deepEqual(sm.spec.namespaceSelector?.matchNames, [NAMESPACE]);
    const scraped = m.ofKind<Service>('Service').filter((s) => selects(sm.spec.selector.matchLabels, s.metadata.labels));
    assert.equal(scraped.length, 1, 'one Service is scraped');
    const svc = scraped[0] as Service;
    assert.equal(svc.spec.clusterIP, 'None', 'headless: every pod is a target');
    const [endpoint] = sm.spec.endpoints;
    assert.equal(endpoint?.path, '/metrics');
    assert.equal(endpoint?.honorLabels, true, 'the services keep their own service label');
    const port = svc.spec.ports.find((p) => p.name === endpoint?.port);
    for (const component of COMPONENTS) {
      const template = m.deployment(component).spec.template;
      assert.ok(selects(svc.spec.selector, template.metadata.labels), component);
      containerPort(onlyContainer(template), String(port?.targetPort));
    }
  });

  test('loads the alert rules of charts/kimap/alerts into a PrometheusRule', async () => {
    const m = await render({ apiVersions: [MONITORING], set: ['metrics.prometheusRule.labels.release=kube-prometheus-stack'] });
    const [rule] = m.ofKind<PrometheusRule>('PrometheusRule');
    assert.ok(rule);
    assert.equal(rule.metadata.labels?.release, 'kube-prometheus-stack');
    const fromFiles = chartFiles('alerts', '.yaml').flatMap((f) => (parse(readFileSync(f, 'utf8')) as PrometheusRule['spec']).groups);
    assert.ok(fromFiles.length > 0);
    assert.deepEqual(rule.spec.groups.slice(0, fromFiles.length), fromFiles);
    assert.deepEqual(
      rule.spec.groups.slice(fromFiles.length).map((g) => g.name),
      ['kimap-chart'],
      'then the rules the template records from the values',
    );
    const disabled = await render({
      apiVersions: [MONITORING],
      set: ['metrics.prometheusRule.enabled=false', 'metrics.serviceMonitor.enabled=false'],
    });
    assert.deepEqual([...disabled.ofKind('PrometheusRule'), ...disabled.ofKind('ServiceMonitor')], []);
  });

  test('records the edge Deployment and its connection limit for the alerts, an env setting over edge.maxConnections', async () => {
    const recorded = async (set: string[]): Promise<unknown> => {
      const r = await render({ apiVersions: [MONITORING], set });
      const [rule] = r.ofKind<PrometheusRule>('PrometheusRule');
      return rule?.spec.groups.find((g) => g.name === 'kimap-chart')?.rules;
    };
    const m = await render({ apiVersions: [MONITORING] });
    const edge = m.deployment('edge').metadata.name;
    const limit = (n: number) => [
      { record: 'kimap:edge_max_connections', expr: `vector(${n})`, labels: { namespace: NAMESPACE, deployment: edge } },
    ];
    assert.deepEqual(await recorded([]), limit(50000));
    assert.equal(envValue(onlyContainer(m.deployment('edge').spec.template), 'IMAP_MAX_CONNECTIONS'), '50000');
    assert.deepEqual(await recorded(['edge.maxConnections=2000']), limit(2000));
    assert.deepEqual(await recorded(['edge.maxConnections=2000', 'env.IMAP_MAX_CONNECTIONS=3000']), limit(3000));
    assert.deepEqual(await recorded(['env.IMAP_MAX_CONNECTIONS=3000', 'edge.env.IMAP_MAX_CONNECTIONS=4000']), limit(4000));
  });
});
