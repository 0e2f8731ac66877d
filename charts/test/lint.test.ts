// charts/kimap passes helm lint --strict and the Kubernetes schemas (kubernetes-validate
// --strict, at the oldest Kubernetes the chart admits and the newest the tool knows), and
// bad values are refused with a message that says what is wrong.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  chartDir,
  chartYaml,
  helm,
  kubernetesValidate,
  parseManifests,
  productionValues,
  renderArgs,
  renderText,
  skipReason,
  testValues,
  type RenderOptions,
} from './helm.js';

/** Kinds of CustomResourceDefinitions the Kubernetes schemas cannot know; the chart tests read them instead. */
const CUSTOM_KINDS = new Set(['ServiceMonitor', 'PrometheusRule', 'Certificate']);
const MONITORING = 'monitoring.coreos.com/v1';
const CERT_MANAGER = 'cert-manager.io/v1';

const work = mkdtempSync(join(tmpdir(), 'kimap-chart-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The oldest Kubernetes version Chart.yaml's kubeVersion admits (">=1.27.0-0" gives 1.27.0). */
function oldestKubernetes(): string {
  const match = /^>=\s*(\d+\.\d+\.\d+)/.exec(chartYaml().kubeVersion);
  if (!match?.[1]) throw new Error(`Chart.yaml kubeVersion ${chartYaml().kubeVersion} names no lower bound`);
  return match[1];
}

/** Renders, drops the custom kinds (by name), and has kubernetes-validate --strict check the rest. */
async function validateStrictly(name: string, opts: RenderOptions): Promise<void> {
  // helm's own text goes to the validator (a YAML 1.1 reader): written anew, "off" could become false.
  const known = (await renderText(opts)).split(/^---$/m).filter((text) => parseManifests(text).some((m) => !CUSTOM_KINDS.has(m.kind)));
  assert.ok(known.length > 10, `${name}: ${known.length} manifests`);
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, known.join('---'));
  for (const version of [oldestKubernetes(), '1.37.0']) {
    const r = await kubernetesValidate(['--strict', '--kubernetes-version', version, file]);
    const output = r.stdout + r.stderr;
    assert.equal(r.code, 0, `${name} against Kubernetes ${version}:\n${output}`);
    assert.doesNotMatch(output, /Couldn't find schema/, `${name}: every kind left is one Kubernetes knows`);
    const passed = output.split('\n').filter((l) => l.includes(' passed for resource ')).length;
    assert.equal(passed, known.length, `${name} against ${version}: every manifest passed\n${output}`);
  }
}

/** helm template's failure message for values that must be refused. */
async function refusal(opts: RenderOptions): Promise<string> {
  const r = await helm(renderArgs(opts));
  assert.notEqual(r.code, 0, `refused, yet rendered:\n${r.stdout.slice(0, 500)}`);
  assert.equal(r.stdout.trim(), '', 'nothing rendered');
  return r.stderr;
}

describe('helm lint --strict', { skip: skipReason }, () => {
  test('passes with the default values', async () => {
    const r = await helm(['lint', '--strict', chartDir]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  test('passes with the production example', async () => {
    const r = await helm(['lint', '--strict', chartDir, '--values', productionValues]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
});

describe('kubernetes-validate --strict', { skip: skipReason }, () => {
  test('accepts what the default values render', () => validateStrictly('default', {}));

  test('accepts what the production example renders, with the monitoring API', () =>
    validateStrictly('production', { values: [productionValues], apiVersions: [MONITORING] }));

  test('accepts the production example with cert-manager, the AdminService off and no NetworkPolicies', () =>
    validateStrictly('production-cert-manager', {
      values: [productionValues, testValues('cert-manager.yaml')],
      set: [
        'admin.enabled=false',
        'networkPolicy.enabled=false',
        'delivery.proxy.enabled=true',
        'delivery.proxy.trustedNetworks={10.9.0.0/16}',
      ],
      apiVersions: [MONITORING, CERT_MANAGER],
    }));
});

describe('bad values', { skip: skipReason }, () => {
  test('a wrong type is refused by the schema, naming the value and the type wanted', async () => {
    const message = await refusal({ values: [testValues('wrong-type.yaml')] });
    assert.match(message, /values don't meet the specifications of the schema/);
    assert.match(message, /at '\/edge\/replicaCount': got string, want integer/);
  });

  test('an unknown key is refused by the schema, naming it', async () => {
    const message = await refusal({ values: [testValues('unknown-key.yaml')] });
    assert.match(message, /at '\/mailbox': additional properties 'replicas' not allowed/);
  });

  test('a value outside its choices is refused', async () => {
    const message = await refusal({ set: ['edge.service.externalTrafficPolicy=Nearest'] });
    assert.match(message, /at '\/edge\/service\/externalTrafficPolicy'/);
  });

  test('a missing database Secret name fails the render, saying what to create', async () => {
    const message = await refusal({ values: [testValues('missing-secret.yaml')] });
    assert.match(message, /postgresql\.existingSecret is required: the name of a Secret/);
  });

  test('the AdminService without its token Secret fails the render', async () => {
    const message = await refusal({ set: ['admin.enabled=true'] });
    assert.match(message, /admin\.existingSecret is required when admin\.enabled is true/);
  });

  test('PROXY protocol without trusted networks is refused', async () => {
    const message = await refusal({ set: ['proxy.enabled=true'] });
    assert.match(message, /at '\/proxy\/trustedNetworks': minItems: got 0, want 1/);
  });

  test('a Kafka broker without a port is refused', async () => {
    const message = await refusal({ set: ['kafka.brokers={kafka.example.org}'] });
    assert.match(message, /at '\/kafka\/brokers\/0'/);
  });

  test('cert-manager without its API in the cluster fails the render, saying so', async () => {
    const message = await refusal({ values: [productionValues, testValues('cert-manager.yaml')] });
    assert.match(message, /the cluster does not serve cert-manager\.io\/v1/);
  });
});
