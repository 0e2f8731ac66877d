// The chart's Grafana dashboards and alert rules are well formed: JSON and YAML that
// Grafana and Prometheus take, every panel querying through the board's data source
// variable, every PromQL expression parsed by the Prometheus project's own grammar.
// Needs no helm: these are files of the chart. That the metrics they name exist is
// e2e/test/chart-metrics.test.ts's question.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  boardFiles,
  dashboardExpressions,
  grafanaToPromql,
  lintDashboard,
  lintRuleGroups,
  parsePromql,
  recordedNames,
  ruleExpressions,
  ruleFiles,
  ruleGroups,
  templateRecordedNames,
  type Dashboard,
} from './monitoring.js';

describe('PromQL checks', () => {
  test('take good expressions and give their metric names and label matchers', () => {
    const p = parsePromql(
      'histogram_quantile(0.99, sum by (command, le) (rate(kimap_imap_command_duration_seconds_bucket{namespace="mail", command!~"IDLE"}[5m]))) > 1 and on (namespace) up',
    );
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.metrics, ['kimap_imap_command_duration_seconds_bucket', 'up']);
    assert.deepEqual(p.matchers, [
      { metric: 'kimap_imap_command_duration_seconds_bucket', label: 'namespace' },
      { metric: 'kimap_imap_command_duration_seconds_bucket', label: 'command' },
    ]);
    assert.deepEqual(parsePromql('max by (namespace) (kimap:edge_max_connections) / on (namespace) group_left () vector(1)').errors, []);
  });

  test('find unbalanced parentheses and braces, unknown and experimental functions, selectors without a name', () => {
    const errors = (e: string): string => parsePromql(e).errors.join('\n');
    assert.match(errors('sum(rate(kimap_logins_total[5m])'), /syntax error/);
    assert.match(errors('sum(rate(kimap_logins_total{result="success"[5m]))'), /syntax error/);
    assert.match(errors('sum(rate(kimap_logins_total[5m])))'), /syntax error/);
    assert.match(errors('rates(kimap_logins_total[5m])'), /syntax error/);
    assert.match(errors('rate(kimap_logins_total[5 minutes])'), /syntax error/);
    assert.match(errors('mad_over_time(kimap_imap_idle_sessions[5m])'), /mad_over_time\(\) is not a stable PromQL function/);
    assert.match(errors('limitk(2, kimap_imap_idle_sessions)'), /limitk is not a stable PromQL aggregation/);
    assert.match(errors('{__name__="kimap_imap_idle_sessions"}'), /without a metric name/);
    assert.match(errors('  '), /empty/);
  });

  test('Grafana variables become what Grafana sends, and the board variables used are named', () => {
    assert.deepEqual(grafanaToPromql('sum(rate(x{namespace="$namespace", pod=~"${pod:regex}"}[$__rate_interval])) * [[factor]]'), {
      expr: 'sum(rate(x{namespace="value", pod=~"value"}[5m])) * value',
      variables: ['namespace', 'pod', 'factor'],
    });
  });
});

describe('the dashboards of charts/kimap/dashboards', () => {
  const files = boardFiles();

  test('are three or more: overview, backend and resources', () => {
    const uids = files.map((f) => (JSON.parse(f.text) as Dashboard).uid).sort();
    assert.deepEqual(uids, ['kimap-backend', 'kimap-overview', 'kimap-resources']);
    assert.equal(new Set(files.map((f) => (JSON.parse(f.text) as Dashboard).title)).size, files.length, 'titles are unique');
  });

  for (const file of files) {
    test(`${file.file}: valid JSON, unique panel ids, every panel through \${datasource}, every expression parses`, () => {
      assert.deepEqual(lintDashboard(file), []);
      assert.ok(dashboardExpressions(JSON.parse(file.text) as Dashboard, file.file).length > 5, 'the board queries something');
    });
  }

  test('the lint finds what is wrong with a board', () => {
    const good = JSON.parse(files.find((f) => f.file.endsWith('overview.json'))!.text) as Dashboard & { panels: Record<string, unknown>[] };
    const broken = structuredClone(good);
    const [row, first, second, third, fourth] = broken.panels as [
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown> & { targets: Record<string, unknown>[] },
      Record<string, unknown> & { targets: Record<string, unknown>[] },
    ];
    row.id = 7;
    second.id = first.id;
    first.datasource = { type: 'prometheus', uid: 'prometheus' };
    third.targets[0]!.expr = 'sum(rate(kimap_connections_total{namespace="$namespace"}[$__rate_interval])';
    fourth.targets[0]!.expr = 'sum(kimap_imap_idle_sessions{namespace="$cluster"})';
    second.gridPos = { h: 8, w: 30, x: 0, y: 1 };
    const problems = lintDashboard({ file: 'broken.json', text: JSON.stringify(broken) }).join('\n');
    assert.match(problems, /panel id 2 is not unique/);
    assert.match(problems, /panel 2 .*datasource .* is not \$\{datasource\}/);
    assert.match(problems, /not on the 24-column grid/);
    assert.match(problems, /syntax error/);
    assert.match(problems, /variable \$cluster is not defined/);
    assert.match(lintDashboard({ file: 'x.json', text: '{"uid": "x",' }).join(), /not JSON/);
    const noVariable = { ...good, templating: { list: [] } };
    assert.match(lintDashboard({ file: 'x.json', text: JSON.stringify(noVariable) }).join(), /no variable "datasource"/);
  });
});

describe('the alert rules of charts/kimap/alerts', () => {
  const files = ruleFiles();
  const groups = files.flatMap((f) => ruleGroups(f));

  for (const file of files) {
    test(`${file.file}: YAML with groups, each rule complete, every expression parses, every for a duration`, () => {
      assert.deepEqual(lintRuleGroups(ruleGroups(file), file.file), []);
    });
  }

  test('alert on what the operator must hear of', () => {
    const alerts = groups.flatMap((g) => (g.rules ?? []).flatMap((r) => (r.alert ? [r.alert] : [])));
    for (const name of [
      'KimapLoginFailureRatioHigh',
      'KimapCommandLatencyHigh',
      'KimapOutboxBacklogOld',
      'KimapKafkaConsumerLagHigh',
      'KimapNoReadyEdgePods',
      'KimapEdgeConnectionsNearLimit',
      'KimapPostgresPoolExhausted',
      'KimapDeliveryTemporaryFailures',
    ])
      assert.ok(alerts.includes(name), name);
  });

  test('use recorded names only when a rule of the files or the template records them', () => {
    const recorded = new Set([...recordedNames(groups), ...templateRecordedNames()]);
    assert.ok(recorded.has('kimap:edge_max_connections'));
    for (const e of [
      ...ruleExpressions(groups, 'alerts'),
      ...boardFiles().flatMap((f) => dashboardExpressions(JSON.parse(f.text) as Dashboard, f.file)),
    ])
      for (const name of parsePromql(e.expr).metrics.filter((n) => n.includes(':')))
        assert.ok(recorded.has(name), `${e.where}: ${name} is recorded by no rule`);
  });

  test('the lint finds what is wrong with a rule', () => {
    const problems = lintRuleGroups(
      [
        {
          name: 'a',
          rules: [{ alert: 'NoFor', expr: 'up == 0', labels: { severity: 'warning' }, annotations: { summary: 's', description: 'd' } }],
        },
        {
          name: 'a',
          rules: [
            {
              alert: 'BadFor',
              expr: 'up == 0',
              for: '5 minutes',
              labels: { severity: 'page' },
              annotations: { summary: '{{ $labels.pod }' },
            },
            {
              alert: 'BadExpr',
              expr: 'sum(rate(up[5m])',
              for: '1h30m',
              labels: { severity: 'critical' },
              annotations: { summary: 's', description: 'd' },
            },
            { record: 'x', expr: 'up', for: '5m' },
            { expr: 'up' },
          ],
        },
      ],
      'bad.yaml',
    ).join('\n');
    assert.match(problems, /alert NoFor: for undefined is not a duration/);
    assert.match(problems, /group a: the name is not unique/);
    assert.match(problems, /alert BadFor: for "5 minutes" is not a duration/);
    assert.match(problems, /alert BadFor: labels.severity is not one of/);
    assert.match(problems, /alert BadFor: no annotations.description/);
    assert.match(problems, /alert BadFor: annotations.summary has unbalanced/);
    assert.match(problems, /alert BadFor: annotations.summary names label pod, which expr never mentions/);
    assert.match(problems, /alert BadExpr: syntax error/);
    assert.match(problems, /record x: a recording rule has no for/);
    assert.match(problems, /a rule must have one of alert and record/);
    assert.throws(() => ruleGroups({ file: 'x.yaml', text: 'rules: []' }), /no list named groups/);
    assert.throws(() => ruleGroups({ file: 'x.yaml', text: 'groups: [' }));
  });
});
