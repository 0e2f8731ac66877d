// Runs the pinned helm and kubernetes-validate (scripts/tools/) on charts/kimap and
// parses what helm renders. Under CI=true a tool that cannot be had fails the run;
// elsewhere the chart's tests are skipped, saying why.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const chartDir = join(repoRoot, 'charts/kimap');
export const productionValues = join(chartDir, 'examples/production.yaml');
export const testValues = (name: string): string => join(repoRoot, 'charts/test/values', name);
export const RELEASE = 'kimap';
export const NAMESPACE = 'mail';

const ci = process.env.CI === 'true' || process.env.CI === '1';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(file: string, args: string[]): Promise<RunResult> {
  return new Promise((resolveRun) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, cwd: repoRoot }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** The path a tool script prints with --path (installing the tool when missing), or why there is none. */
async function locate(script: string): Promise<{ path: string } | { reason: string }> {
  const r = await run('bash', [join(repoRoot, 'scripts/tools', script), '--path']);
  const path = r.stdout.trim();
  if (r.code === 0 && path) return { path };
  const reason = `scripts/tools/${script} could not provide its tool: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`}`;
  if (ci) throw new Error(reason);
  return { reason };
}

const helmTool = await locate('helm.sh');
const validateTool = await locate('kubernetes-validate.sh');

/** false when both tools are here, else why the chart's tests are skipped. */
export const skipReason: string | false = 'reason' in helmTool ? helmTool.reason : 'reason' in validateTool ? validateTool.reason : false;
/** false when helm is here (all a render needs), else why. */
export const helmSkipReason: string | false = 'reason' in helmTool ? helmTool.reason : false;

export function helm(args: string[]): Promise<RunResult> {
  if (!('path' in helmTool)) throw new Error(helmTool.reason);
  return run(helmTool.path, args);
}

export function kubernetesValidate(args: string[]): Promise<RunResult> {
  if (!('path' in validateTool)) throw new Error(validateTool.reason);
  return run(validateTool.path, args);
}

export interface RenderOptions {
  /** Values files, in order. */
  values?: string[];
  /** --set arguments. */
  set?: string[];
  /** API versions the pretended cluster serves besides the built-in ones. */
  apiVersions?: string[];
}

export function renderArgs(opts: RenderOptions = {}): string[] {
  return [
    'template',
    RELEASE,
    chartDir,
    '--namespace',
    NAMESPACE,
    ...(opts.values ?? []).flatMap((f) => ['--values', f]),
    ...(opts.set ?? []).flatMap((s) => ['--set', s]),
    ...(opts.apiVersions ?? []).flatMap((a) => ['--api-versions', a]),
  ];
}

/** helm template's output, or an error carrying helm's message. */
export async function renderText(opts: RenderOptions = {}): Promise<string> {
  const r = await helm(renderArgs(opts));
  if (r.code !== 0) throw new Error(`helm template failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

export async function render(opts: RenderOptions = {}): Promise<Manifests> {
  return new Manifests(parseManifests(await renderText(opts)));
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`helm rendered invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

export function chartYaml(): { version: string; appVersion: string; kubeVersion: string } {
  return parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { version: string; appVersion: string; kubeVersion: string };
}

/** The files of a chart folder with a suffix, e.g. ('dashboards', '.json'). */
export function chartFiles(folder: string, suffix: string): string[] {
  return readdirSync(join(chartDir, folder))
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => join(chartDir, folder, f));
}

// The parts of the Kubernetes objects the tests read.
export type Labels = Record<string, string>;
export interface Metadata {
  name: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
}
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}
export interface Probe {
  httpGet: { path: string; port: string | number };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name: string; containerPort: number; protocol?: string }[];
  env?: EnvVar[];
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
  };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Volume {
  name: string;
  emptyDir?: { sizeLimit?: string };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; fsGroup?: number; seccompProfile?: { type: string } };
  volumes?: Volume[];
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  enableServiceLinks?: boolean;
  restartPolicy?: string;
  topologySpreadConstraints?: { topologyKey: string; labelSelector?: { matchLabels?: Labels } }[];
}
export interface PodTemplate {
  metadata: Metadata;
  spec: PodSpec;
}
export interface Deployment extends Manifest {
  spec: { replicas?: number; selector: { matchLabels: Labels }; template: PodTemplate };
}
export interface Job extends Manifest {
  spec: { backoffLimit?: number; template: PodTemplate };
}
export interface Service extends Manifest {
  spec: {
    type: string;
    clusterIP?: string;
    externalTrafficPolicy?: string;
    selector: Labels;
    ports: { name: string; port: number; targetPort: string | number; protocol?: string }[];
  };
}
export interface Peer {
  podSelector?: { matchLabels?: Labels };
  namespaceSelector?: { matchLabels?: Labels };
  ipBlock?: { cidr: string };
}
export interface PolicyRule {
  ports?: { protocol: string; port: number | string }[];
  from?: Peer[];
  to?: Peer[];
}
export interface NetworkPolicy extends Manifest {
  spec: { podSelector: { matchLabels: Labels }; policyTypes: string[]; ingress?: PolicyRule[]; egress?: PolicyRule[] };
}
export interface HorizontalPodAutoscaler extends Manifest {
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: { type: string; resource: { name: string; target: { type: string; averageUtilization: number } } }[];
    behavior?: { scaleDown?: { stabilizationWindowSeconds?: number } };
  };
}
export interface PodDisruptionBudget extends Manifest {
  spec: { minAvailable?: number | string; maxUnavailable?: number | string; selector: { matchLabels: Labels } };
}
export type ServiceAccount = Manifest;
export interface ConfigMap extends Manifest {
  data: Record<string, string>;
}
export interface ServiceMonitor extends Manifest {
  spec: {
    selector: { matchLabels: Labels };
    namespaceSelector?: { matchNames: string[] };
    endpoints: { port: string; path: string; honorLabels?: boolean }[];
  };
}
export interface PrometheusRule extends Manifest {
  spec: { groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[] };
}
export interface Certificate extends Manifest {
  spec: { secretName: string; dnsNames: string[]; issuerRef: { name: string; kind: string; group: string } };
}

/** A rendered chart, with lookups by kind and name. */
export class Manifests {
  constructor(readonly all: Manifest[]) {}

  kinds(): string[] {
    return this.all.map((m) => m.kind);
  }

  ofKind<T extends Manifest>(kind: string): T[] {
    return this.all.filter((m) => m.kind === kind) as T[];
  }

  get<T extends Manifest>(kind: string, name: string): T {
    const found = this.all.find((m) => m.kind === kind && m.metadata.name === name);
    if (!found)
      throw new Error(`no ${kind} ${name} rendered; there are: ${this.all.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
    return found as T;
  }

  deployment(component: string): Deployment {
    return this.get<Deployment>('Deployment', `${RELEASE}-${component}`);
  }

  /** Every pod template: the Deployments' and the Job's. */
  podTemplates(): { owner: string; template: PodTemplate }[] {
    return [...this.ofKind<Deployment>('Deployment'), ...this.ofKind<Job>('Job')].map((w) => ({
      owner: `${w.kind}/${w.metadata.name}`,
      template: w.spec.template,
    }));
  }
}

/** The one container of a pod template. */
export function onlyContainer(template: PodTemplate): Container {
  const [container, ...rest] = template.spec.containers;
  if (!container || rest.length) throw new Error(`expected one container, found ${template.spec.containers.length}`);
  return container;
}

export function env(container: Container, name: string): EnvVar | undefined {
  return container.env?.find((e) => e.name === name);
}

/** A plain env value; throws when it is missing or comes from elsewhere. */
export function envValue(container: Container, name: string): string {
  const e = env(container, name);
  if (e?.value === undefined) throw new Error(`${container.name} has no plain env ${name}`);
  return e.value;
}

export function containerPort(container: Container, name: string): number {
  const port = container.ports?.find((p) => p.name === name);
  if (!port) throw new Error(`${container.name} has no port named ${name}`);
  return port.containerPort;
}

/** Whether a selector's labels all stand among a pod's labels. */
export function selects(selector: Labels | undefined, labels: Labels | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}
