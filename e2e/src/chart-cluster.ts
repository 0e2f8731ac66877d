// A kimap cluster as charts/kimap renders it, run as local processes: every
// Deployment's pods and the migration Job, each with the container's command,
// arguments and environment exactly as Kubernetes would give them (the image's
// ENTRYPOINT and ENV from the Dockerfile, env and envFrom resolved against the
// rendered and the given Secrets and ConfigMaps, fieldRefs from a made-up pod).
// Only what cannot be the same on one machine is changed, by rules listed here:
// the ports a container listens on become free local ones, a Service's DNS name
// becomes 127.0.0.1 and the local port of its first endpoint, and paths inside
// the image or a volume point to the checkout or a folder of the pod.
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { openDatabase } from '@kimap/common';
import { postgresBaseUrl } from '@kimap/common/testing/services';
import { freePort, repoRoot, type ServiceProcess } from './cluster.js';
import { keyValues, parseDockerfile, workdir, type Dockerfile, type Stage } from './dockerfile.js';
import type { Container, Manifest, Probe } from '../../charts/test/helm.js';

// ---------------------------------------------------------------------------
// The Kubernetes objects, as far as running their containers needs.

export interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}
export interface KubeEnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: KeyRef;
    configMapKeyRef?: KeyRef;
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { resource: string };
  };
}
export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}
export interface KubeVolume {
  name: string;
  emptyDir?: object;
  secret?: { secretName: string; items?: { key: string; path: string; mode?: number }[]; defaultMode?: number; optional?: boolean };
  configMap?: { name: string; items?: { key: string; path: string; mode?: number }[]; defaultMode?: number; optional?: boolean };
}
export interface KubeProbe extends Probe {
  periodSeconds?: number;
  failureThreshold?: number;
}
export interface KubeContainer extends Omit<Container, 'env' | 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
  startupProbe?: KubeProbe;
  livenessProbe?: KubeProbe;
  readinessProbe?: KubeProbe;
  env?: KubeEnvVar[];
  envFrom?: EnvFromSource[];
  workingDir?: string;
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}
export interface KubePodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: KubeContainer[];
    initContainers?: KubeContainer[];
    volumes?: KubeVolume[];
    enableServiceLinks?: boolean;
    serviceAccountName?: string;
    terminationGracePeriodSeconds?: number;
  };
}
export interface Workload extends Manifest {
  spec: { replicas?: number; template: KubePodTemplate };
}
export interface KubeService extends Manifest {
  spec: { selector?: Record<string, string>; ports: { name?: string; port: number; targetPort?: string | number }[] };
}
export interface SecretObject extends Manifest {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
export interface ConfigMapObject extends Manifest {
  data?: Record<string, string>;
}

/** A Secret as a test would apply it (values given in clear, stored base64 as the API does). */
export function secret(name: string, data: Record<string, string>, type = 'Opaque'): SecretObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

export function configMap(name: string, data: Record<string, string>): ConfigMapObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}

/** The Secrets and ConfigMaps a pod may read, by name, their values decoded. */
export class ObjectStore {
  private readonly secrets = new Map<string, Record<string, string>>();
  private readonly configMaps = new Map<string, Record<string, string>>();

  constructor(objects: Manifest[]) {
    for (const o of objects) {
      if (o.kind === 'Secret') {
        const s = o as SecretObject;
        const data = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
        this.secrets.set(o.metadata.name, { ...data, ...s.stringData });
      } else if (o.kind === 'ConfigMap') {
        this.configMaps.set(o.metadata.name, { ...(o as ConfigMapObject).data });
      }
    }
  }

  /** A Secret's or ConfigMap's data; undefined when it does not exist. */
  data(kind: 'Secret' | 'ConfigMap', name: string): Record<string, string> | undefined {
    return (kind === 'Secret' ? this.secrets : this.configMaps).get(name);
  }

  /** One key, or undefined when optional and missing; throws as the kubelet refuses to start the container. */
  key(kind: 'Secret' | 'ConfigMap', ref: KeyRef): string | undefined {
    const data = this.data(kind, ref.name);
    if (data === undefined) {
      if (ref.optional) return undefined;
      throw new Error(`${kind} "${ref.name}" not found (CreateContainerConfigError)`);
    }
    const value = data[ref.key];
    if (value === undefined && !ref.optional)
      throw new Error(`couldn't find key ${ref.key} in ${kind} ${ref.name} (CreateContainerConfigError)`);
    return value;
  }
}

/** What a container's fieldRefs read: the pod it runs in. */
export interface PodIdentity {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccountName: string;
  nodeName: string;
  ip: string;
}

function fieldValue(path: string, pod: PodIdentity): string {
  const indexed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (indexed) return (indexed[1] === 'labels' ? pod.labels : pod.annotations)[indexed[2]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'metadata.uid':
      return pod.uid;
    case 'spec.nodeName':
      return pod.nodeName;
    case 'spec.serviceAccountName':
      return pod.serviceAccountName;
    case 'status.podIP':
    case 'status.podIPs':
    case 'status.hostIP':
    case 'status.hostIPs':
      return pod.ip;
    default:
      throw new Error(`fieldRef ${path} is not one a pod offers`);
  }
}

/** Kubernetes' $(VAR) expansion: a defined variable's value, $$ for a dollar, anything else as written. */
export function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$(\$|\(([A-Za-z_][A-Za-z0-9_.-]*)\))/g, (whole, what: string, name: string | undefined) => {
    if (what === '$') return '$';
    return name !== undefined && Object.hasOwn(vars, name) ? vars[name]! : whole;
  });
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * A container's environment as the kubelet builds it: envFrom in order (later
 * sources win, keys that are no variable name skipped), then env in order, each
 * value with $(VAR) expanded against what came before.
 */
export function containerEnv(container: KubeContainer, pod: PodIdentity, objects: ObjectStore): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const [kind, ref] = source.configMapRef ? (['ConfigMap', source.configMapRef] as const) : (['Secret', source.secretRef!] as const);
    const data = objects.data(kind, ref.name);
    if (data === undefined) {
      if (ref.optional) continue;
      throw new Error(`${container.name}: envFrom ${kind} "${ref.name}" not found (CreateContainerConfigError)`);
    }
    for (const [key, value] of Object.entries(data)) {
      const name = (source.prefix ?? '') + key;
      if (ENV_NAME.test(name)) env[name] = value;
    }
  }
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    let value: string | undefined;
    if (!from) value = expand(e.value ?? '', env);
    else if (from.secretKeyRef) value = objects.key('Secret', from.secretKeyRef);
    else if (from.configMapKeyRef) value = objects.key('ConfigMap', from.configMapKeyRef);
    else if (from.fieldRef) value = fieldValue(from.fieldRef.fieldPath, pod);
    else throw new Error(`${container.name}: env ${e.name}: ${JSON.stringify(from)} is not emulated`);
    if (value !== undefined) env[e.name] = value;
  }
  return env;
}

// ---------------------------------------------------------------------------
// The image, read from the Dockerfile: what a container runs when the chart
// gives no command, and the environment beneath the pod's.

export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  workdir: string;
}

export function imageConfig(file: Dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'))): ImageConfig {
  const stage = file.stages.at(-1)!;
  const chain: Stage[] = [];
  for (let s: Stage | undefined = stage; s;) {
    chain.unshift(s);
    const from: string = s.from;
    s = file.stages.find((p) => p.name === from);
  }
  const last = (keyword: string): string[] | undefined => {
    const ins = chain.flatMap((s) => s.instructions.filter((i) => i.keyword === keyword)).at(-1);
    if (!ins) return undefined;
    if (!ins.args.startsWith('[')) throw new Error(`${keyword} in shell form is not emulated: ${ins.args}`);
    return JSON.parse(ins.args) as string[];
  };
  const env: Record<string, string> = {};
  for (const ins of chain.flatMap((s) => s.instructions)) if (ins.keyword === 'ENV') for (const [k, v] of keyValues(ins.args)) env[k] = v;
  return { entrypoint: last('ENTRYPOINT') ?? [], cmd: last('CMD') ?? [], env, workdir: workdir(file, stage) };
}

// ---------------------------------------------------------------------------
// From rendered workloads to local processes.

/** The settings by which a kimap service chooses where it listens: a port, or host:port. */
export const LISTEN_SETTINGS: Readonly<Record<string, 'port' | 'address'>> = {
  IMAP_PORT: 'port',
  IMAPS_PORT: 'port',
  LMTP_PORT: 'port',
  OPS_PORT: 'port',
  GRPC_LISTEN: 'address',
  ADMIN_GRPC_LISTEN: 'address',
};

/**
 * Variables a local process gets that no manifest sets: PATH (the image's own
 * is not known here; it must find node), HOSTNAME (the container runtime sets
 * it to the pod's name), TMPDIR (the pod's /tmp is a folder of its own here).
 */
export const MACHINE_VARIABLES = ['HOSTNAME', 'PATH', 'TMPDIR'] as const;

/** One container of one pod, as it is run here. */
export interface PodPlan {
  /** Deployment/<name> or Job/<name>. */
  owner: string;
  kind: 'Deployment' | 'Job';
  /** The app.kubernetes.io/component label, else the workload's name. */
  component: string;
  pod: PodIdentity;
  container: KubeContainer;
  terminationGracePeriodSeconds: number;
  /** The environment Kubernetes would give the container: the image's ENV beneath the pod's env. */
  rendered: Record<string, string>;
  /** The command line Kubernetes would run (ENTRYPOINT or command, then CMD or args, expanded). */
  renderedArgv: string[];
  /** What the local process gets. */
  env: Record<string, string>;
  argv: string[];
  cwd: string;
  /** Each containerPort, by number, to the local port it became. */
  ports: Map<number, number>;
  /** The pod's own folder: its volumes live below it. */
  dir: string;
}

/** The names whose values differ between what Kubernetes would give and what runs here, sorted. */
export function rewrittenVariables(plan: PodPlan): string[] {
  return Object.keys(plan.rendered)
    .filter((k) => plan.env[k] !== plan.rendered[k])
    .sort();
}

const POD_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const podSuffix = (n: number): string => Array.from({ length: n }, () => POD_NAME_ALPHABET[randomInt(POD_NAME_ALPHABET.length)]).join('');

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export interface PlanOptions {
  /** The rendered manifests plus the Secrets and ConfigMaps the test applies. */
  objects: Manifest[];
  namespace: string;
  /** Where the pods' folders go. */
  dir: string;
  /** Pods per Deployment, by its name; else spec.replicas, its HPA's minReplicas, or 1. */
  replicas?: Record<string, number>;
  image?: ImageConfig;
}

/** Every pod of the Deployments and the Jobs, with its local ports, folders, environment and command line. */
export async function planPods(opts: PlanOptions): Promise<PodPlan[]> {
  const image = opts.image ?? imageConfig();
  const store = new ObjectStore(opts.objects);
  const workloads = opts.objects.filter((o): o is Workload => o.kind === 'Deployment' || o.kind === 'Job');
  const hpaMin = new Map(
    opts.objects
      .filter((o) => o.kind === 'HorizontalPodAutoscaler')
      .map((o) => {
        const spec = (o as Manifest & { spec: { scaleTargetRef: { name: string }; minReplicas?: number } }).spec;
        return [spec.scaleTargetRef.name, spec.minReplicas ?? 1] as const;
      }),
  );
  const drafts: Omit<PodPlan, 'rendered' | 'renderedArgv' | 'env' | 'argv' | 'cwd'>[] = [];
  for (const w of workloads) {
    const kind = w.kind as 'Deployment' | 'Job';
    const template = w.spec.template;
    if (template.spec.enableServiceLinks !== false)
      throw new Error(`${w.kind}/${w.metadata.name}: Service links (enableServiceLinks) are not emulated`);
    if (template.spec.initContainers?.length) throw new Error(`${w.kind}/${w.metadata.name}: init containers are not emulated`);
    const [container, ...others] = template.spec.containers;
    if (!container || others.length) throw new Error(`${w.kind}/${w.metadata.name}: one container expected`);
    const count = kind === 'Job' ? 1 : (opts.replicas?.[w.metadata.name] ?? w.spec.replicas ?? hpaMin.get(w.metadata.name) ?? 1);
    const hash = podSuffix(10);
    for (let i = 0; i < count; i++) {
      const name = kind === 'Job' ? `${w.metadata.name}-${podSuffix(5)}` : `${w.metadata.name}-${hash}-${podSuffix(5)}`;
      const ports = new Map<number, number>();
      for (const p of container.ports ?? []) ports.set(p.containerPort, await freePort());
      const labels = template.metadata.labels ?? {};
      drafts.push({
        owner: `${w.kind}/${w.metadata.name}`,
        kind,
        component: labels['app.kubernetes.io/component'] ?? w.metadata.name,
        pod: {
          name,
          namespace: opts.namespace,
          uid: randomBytes(16).toString('hex'),
          labels,
          annotations: template.metadata.annotations ?? {},
          serviceAccountName: template.spec.serviceAccountName ?? 'default',
          nodeName: 'localhost',
          ip: '127.0.0.1',
        },
        container,
        terminationGracePeriodSeconds: template.spec.terminationGracePeriodSeconds ?? 30,
        ports,
        dir: join(opts.dir, name),
      });
    }
  }

  const services = opts.objects.filter((o): o is KubeService => o.kind === 'Service');
  /** host:port of a Service inside the cluster, to 127.0.0.1 and its first endpoint's local port. */
  const serviceAddress = (value: string): string | undefined => {
    const m = /^([a-z0-9-]+)(\.[a-z0-9-]+)?(\.svc(\.cluster\.local)?)?:(\d+)$/.exec(value);
    if (!m) return undefined;
    const svc = services.find((s) => s.metadata.name === m[1] && (!m[2] || m[2] === `.${opts.namespace}`));
    if (!svc) return undefined;
    const port = svc.spec.ports.find((p) => p.port === Number(m[5]));
    if (!port) throw new Error(`${value}: Service ${svc.metadata.name} has no port ${m[5]}`);
    for (const d of drafts.filter((d) => d.kind === 'Deployment' && selects(svc.spec.selector, d.pod.labels))) {
      const target = port.targetPort ?? port.port;
      const containerPort = typeof target === 'number' ? target : d.container.ports?.find((p) => p.name === target)?.containerPort;
      const local = containerPort === undefined ? undefined : d.ports.get(containerPort);
      if (local !== undefined) return `127.0.0.1:${local}`;
    }
    throw new Error(`${value}: Service ${svc.metadata.name} port ${port.port} has no endpoint among the pods`);
  };

  return drafts.map((d) => {
    const { container, pod } = d;
    const resolved = containerEnv(container, pod, store);
    const rendered = { ...image.env, ...resolved };
    const command = (container.command ?? image.entrypoint).map((a) => expand(a, resolved));
    const args = (container.args ?? (container.command ? [] : image.cmd)).map((a) => expand(a, resolved));

    // Volumes: each a folder of the pod, filled as the kubelet fills it.
    const mounts: { path: string; local: string }[] = [];
    for (const m of container.volumeMounts ?? []) {
      const volume = lookupVolume(workloads, d.owner, m.name);
      if (!volume) throw new Error(`${d.owner}: volumeMount ${m.name} names no volume`);
      const local = join(d.dir, 'volumes', volume.name);
      fillVolume(volume, local, store);
      mounts.push({ path: m.mountPath, local: m.subPath ? join(local, m.subPath) : local });
    }
    mounts.sort((a, b) => b.path.length - a.path.length);
    /** An absolute path in the container to where it is here: a volume's folder, or the checkout for the image's files. */
    const localPath = (path: string): string => {
      for (const m of mounts) if (path === m.path || path.startsWith(`${m.path}/`)) return m.local + path.slice(m.path.length);
      const app = image.workdir;
      if (app !== '/' && (path === app || path.startsWith(`${app}/`))) return join(repoRoot, path.slice(app.length));
      return path;
    };

    const env: Record<string, string> = {};
    const claimed = new Set<number>();
    for (const [name, value] of Object.entries(rendered)) {
      const listen = LISTEN_SETTINGS[name];
      if (listen && !(listen === 'address' && value === 'off')) {
        const m = listen === 'port' ? /^()(\d+)$/.exec(value) : /^(.*):(\d+)$/.exec(value);
        const local = m ? d.ports.get(Number(m[2])) : undefined;
        if (!m || local === undefined)
          throw new Error(`${d.owner}: ${name}=${value} listens on no port the container declares (${[...d.ports.keys()].join(', ')})`);
        claimed.add(Number(m[2]));
        env[name] = listen === 'port' ? String(local) : `${m[1]}:${local}`;
      } else if (value.startsWith('/')) {
        env[name] = localPath(value);
      } else {
        env[name] = value
          .split(',')
          .map((item) => serviceAddress(item) ?? item)
          .join(',');
      }
    }
    for (const port of d.ports.keys())
      if (!claimed.has(port))
        throw new Error(`${d.owner}: containerPort ${port} is chosen by none of ${Object.keys(LISTEN_SETTINGS).join(', ')}`);
    const tmp = mounts.find((m) => m.path === '/tmp')?.local ?? join(d.dir, 'tmp');
    mkdirSync(tmp, { recursive: true });
    env.HOSTNAME = pod.name;
    env.PATH = `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`;
    env.TMPDIR = tmp;

    const renderedArgv = [...command, ...args];
    if (renderedArgv.length === 0) throw new Error(`${d.owner}: no command: neither the container nor the image gives one`);
    const argv = renderedArgv.map((a) => (a.startsWith('/') ? localPath(a) : a));
    const cwd = localPath(container.workingDir ?? image.workdir);
    return { ...d, rendered, renderedArgv, env, argv, cwd };
  });
}

function lookupVolume(workloads: Workload[], owner: string, name: string): KubeVolume | undefined {
  const w = workloads.find((x) => `${x.kind}/${x.metadata.name}` === owner);
  return w?.spec.template.spec.volumes?.find((v) => v.name === name);
}

function fillVolume(volume: KubeVolume, dir: string, store: ObjectStore): void {
  mkdirSync(dir, { recursive: true });
  const source = volume.secret
    ? { kind: 'Secret' as const, name: volume.secret.secretName, ...volume.secret }
    : volume.configMap
      ? { kind: 'ConfigMap' as const, ...volume.configMap }
      : undefined;
  if (!source) {
    if (volume.emptyDir) return;
    throw new Error(`volume ${volume.name}: only emptyDir, secret and configMap volumes are emulated`);
  }
  const data = store.data(source.kind, source.name);
  if (data === undefined) {
    if (source.optional) return;
    throw new Error(`volume ${volume.name}: ${source.kind} "${source.name}" not found (the pod would stay ContainerCreating)`);
  }
  const items = source.items ?? Object.keys(data).map((key) => ({ key, path: key, mode: undefined }));
  for (const item of items) {
    const value = data[item.key];
    if (value === undefined) throw new Error(`volume ${volume.name}: ${source.kind} "${source.name}" has no key ${item.key}`);
    const file = join(dir, item.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, value);
    // The mode is the pod's (the fsGroup reads it there); here the owner must read it too.
    chmodSync(file, (item.mode ?? source.defaultMode ?? 0o644) | 0o400);
  }
}

// ---------------------------------------------------------------------------
// Running them.

/** A pod's container running as a local process; a ServiceProcess for cluster.ts's metric helpers. */
export interface LocalPod extends ServiceProcess {
  plan: PodPlan;
  /** Resolves with the exit code (or 128 + signal) when the process ends. */
  exited: Promise<number>;
  /** The local port a containerPort (by number or name) became. */
  port(containerPort: number | string): number;
  /** GET a probe's path on its port: the HTTP status, 0 when nothing answers. */
  probe(kind: 'startupProbe' | 'livenessProbe' | 'readinessProbe'): Promise<number>;
}

function keepOutput(stream: NodeJS.ReadableStream, output: string[], name: string): void {
  stream.on('data', (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 400) output.shift();
    if (process.env.E2E_VERBOSE) process.stderr.write(`[${name}] ${d.toString()}`);
  });
}

export function runPod(plan: PodPlan): LocalPod {
  const [command, ...args] = plan.argv;
  const child = spawn(command!, args, { cwd: plan.cwd, env: plan.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  keepOutput(child.stdout, output, plan.pod.name);
  keepOutput(child.stderr, output, plan.pod.name);
  const exited = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      output.push(`spawn failed: ${err.message}\n`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  });
  const port = (p: number | string): number => {
    const number = typeof p === 'number' ? p : plan.container.ports?.find((x) => x.name === p)?.containerPort;
    const local = number === undefined ? undefined : plan.ports.get(number);
    if (local === undefined) throw new Error(`${plan.pod.name} has no port ${p}`);
    return local;
  };
  const ops = plan.container.readinessProbe?.httpGet.port;
  const pod: LocalPod = {
    name: plan.pod.name,
    child,
    opsPort: ops === undefined ? 0 : port(ops),
    output,
    plan,
    exited,
    port,
    async probe(kind) {
      const p: Probe | undefined = plan.container[kind];
      if (!p) throw new Error(`${plan.owner} has no ${kind}`);
      return fetch(`http://127.0.0.1:${port(p.httpGet.port)}${p.httpGet.path}`, { signal: AbortSignal.timeout(3000) }).then(
        (r) => r.status,
        () => 0,
      );
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const timer = setTimeout(() => child.kill('SIGKILL'), plan.terminationGracePeriodSeconds * 1000);
      child.kill(signal);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return pod;
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

/** Waits until the readiness probe answers 200, within the startup probe's budget (periodSeconds × failureThreshold). */
export async function untilReady(pod: LocalPod): Promise<void> {
  const startup = pod.plan.container.startupProbe;
  const budgetMs = (startup?.periodSeconds ?? 10) * (startup?.failureThreshold ?? 3) * 1000;
  const deadline = Date.now() + budgetMs;
  for (;;) {
    if (pod.child.exitCode !== null || pod.child.signalCode !== null)
      throw new Error(`${pod.name} exited with ${await pod.exited} before it was ready:\n${pod.output.join('')}`);
    if ((await pod.probe('readinessProbe')) === 200) return;
    if (Date.now() > deadline) throw new Error(`${pod.name} not ready within the startup probe's ${budgetMs} ms:\n${pod.output.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Whether something accepts TCP connections on a local port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(3000, () => s.destroy());
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('close', () => resolve(false));
  });
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A Job's pod run to its end: its exit code and output. */
export interface JobRun {
  plan: PodPlan;
  code: number;
  output: string;
}

/** Runs a Job's pod to its end, killed after the Job's activeDeadlineSeconds (else ten minutes). */
export async function runToCompletion(plan: PodPlan, activeDeadlineSeconds = 600): Promise<JobRun> {
  const pod = runPod(plan);
  const timer = setTimeout(() => pod.child.kill('SIGKILL'), activeDeadlineSeconds * 1000);
  const code = await pod.exited;
  clearTimeout(timer);
  return { plan, code, output: pod.output.join('') };
}

/** The running cluster: its pods, the Services in front of them, and `kubectl exec` into them. */
export class ChartCluster {
  constructor(
    readonly objects: Manifest[],
    readonly pods: LocalPod[],
    readonly jobs: JobRun[],
  ) {}

  /** The running pods of a component (app.kubernetes.io/component), in order. */
  component(name: string): LocalPod[] {
    return this.pods.filter((p) => p.plan.component === name);
  }

  /** The local ports behind a Service's port, one per pod it selects, in the pods' order. */
  endpoints(service: string, port: number): number[] {
    const svc = this.objects.find((o): o is KubeService => o.kind === 'Service' && o.metadata.name === service);
    if (!svc) throw new Error(`no Service ${service}`);
    const p = svc.spec.ports.find((x) => x.port === port);
    if (!p) throw new Error(`Service ${service} has no port ${port}`);
    return this.pods.filter((pod) => selects(svc.spec.selector, pod.plan.pod.labels)).map((pod) => pod.port(p.targetPort ?? p.port));
  }

  /**
   * Runs a line of the form NOTES.txt gives the operator,
   * `kubectl -n NS exec [-i] deploy/NAME -- COMMAND... [< FILE]`, in the first pod of
   * that Deployment: with its container's environment and working directory,
   * the command's paths in the image mapped as the pod's are, FILE's content from `files`.
   */
  async kubectlExec(line: string, files: Record<string, string> = {}): Promise<ExecResult> {
    const m = /^kubectl -n (\S+) exec (-i )?deploy\/(\S+) -- (.+?)(?: < (\S+))?$/.exec(line.trim());
    if (!m) throw new Error(`not a kubectl exec line: ${line}`);
    const [, namespace, interactive, deployment, command, file] = m;
    const pod = this.pods.find((p) => p.plan.owner === `Deployment/${deployment}`);
    if (!pod) throw new Error(`${line}: no pod of Deployment ${deployment}`);
    if (pod.plan.pod.namespace !== namespace) throw new Error(`${line}: the pods run in namespace ${pod.plan.pod.namespace}`);
    if (file !== undefined && (!interactive || files[file] === undefined))
      throw new Error(`${line}: stdin from ${file} needs -i and the file`);
    const words = command!.split(/\s+/);
    const image = imageConfig();
    const argv = words.map((w) =>
      w === image.workdir || w.startsWith(`${image.workdir}/`) ? join(repoRoot, w.slice(image.workdir.length)) : w,
    );
    return new Promise((resolve) => {
      const child = spawn(argv[0]!, argv.slice(1), { cwd: pod.plan.cwd, env: pod.plan.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('error', (err) => resolve({ code: 127, stdout, stderr: stderr + err.message }));
      child.once('close', (code, signal) => resolve({ code: code ?? 128 + (signal ? signalNumber(signal) : 0), stdout, stderr }));
      child.stdin.end(file === undefined ? '' : files[file]);
    });
  }

  /** SIGTERM to every pod at once; each one's exit code and how long it took. */
  async stop(): Promise<{ pod: LocalPod; code: number | null; ms: number }[]> {
    return Promise.all(
      this.pods.map(async (pod) => {
        const t0 = Date.now();
        const code = await pod.stop('SIGTERM');
        return { pod, code, ms: Date.now() - t0 };
      }),
    );
  }

  /** Kills whatever still runs (after a failure). */
  kill(): void {
    for (const p of this.pods) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }
}

/**
 * Runs what the chart renders as an install would: the hook Jobs first, in the
 * order of their hook weights, each of which must succeed; then every
 * Deployment's pods at once, until each is ready.
 */
export async function startChartCluster(opts: PlanOptions): Promise<ChartCluster> {
  const plans = await planPods(opts);
  const weight = (p: PodPlan): number => {
    const w = opts.objects.find((o) => `${o.kind}/${o.metadata.name}` === p.owner);
    return Number(w?.metadata.annotations?.['helm.sh/hook-weight'] ?? 0);
  };
  const jobs: JobRun[] = [];
  for (const plan of plans.filter((p) => p.kind === 'Job').sort((a, b) => weight(a) - weight(b))) {
    const job = opts.objects.find((o) => `${o.kind}/${o.metadata.name}` === plan.owner) as Manifest & {
      spec: { activeDeadlineSeconds?: number };
    };
    const run = await runToCompletion(plan, job.spec.activeDeadlineSeconds);
    jobs.push(run);
    if (run.code !== 0) throw new Error(`${plan.owner} failed (exit ${run.code}):\n${run.output}`);
  }
  const pods = plans.filter((p) => p.kind === 'Deployment').map(runPod);
  const cluster = new ChartCluster(opts.objects, pods, jobs);
  try {
    await Promise.all(pods.map(untilReady));
  } catch (err) {
    cluster.kill();
    throw err;
  }
  return cluster;
}

/**
 * Every setting name the services' sources mention: quoted UPPER_CASE names with an
 * underscore (what envString('IMAP_PORT', ...) and the like read) and process.env.NAME.
 */
export function settingsInSources(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'generated') walk(path);
      } else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/['"`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"`]|process\.env\.([A-Z][A-Z0-9_]*)/g))
          names.add(m[1] ?? m[2]!);
      }
    }
  };
  for (const service of readdirSync(join(repoRoot, 'services'))) walk(join(repoRoot, 'services', service, 'src'));
  return names;
}

/** A database of its own with nothing in it, for the migration Job to fill. */
export async function emptyDatabase(prefix = 'kimap_chart'): Promise<{ url: string; drop(): Promise<void> }> {
  const base = await postgresBaseUrl();
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = await openDatabase(base, { max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const db = await openDatabase(base, { max: 1 });
      await db.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await db.close();
    },
  };
}
