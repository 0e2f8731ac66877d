// The chart's Grafana dashboards (charts/kimap/dashboards/*.json) and alert rules
// (charts/kimap/alerts/*.yaml) read as what they are: PromQL, parsed with the
// Prometheus project's own grammar (@prometheus-io/lezer-promql), inside a Grafana
// board or a PrometheusRule's groups. Used by the lint (charts/test/monitoring.test.ts)
// and by the e2e that scrapes a running cluster for every metric they name
// (e2e/test/chart-metrics.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';

// Not from helm.ts, which looks for helm and kubernetes-validate when loaded: these checks need neither.
const chartDir = resolve(dirname(fileURLToPath(import.meta.url)), '../kimap');

/** A chart folder's files with a suffix, as paths relative to the chart (dashboards/overview.json). */
function chartFiles(folder: string, suffix: string): string[] {
  return readdirSync(join(chartDir, folder))
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => `${folder}/${f}`);
}

// ---------------------------------------------------------------------------
// PromQL

/**
 * Functions of PromQL that every Prometheus since 2.x evaluates without a feature
 * flag. The grammar knows more (experimental ones such as limitk, info,
 * mad_over_time, sort_by_label, double_exponential_smoothing): a rule using one
 * would be refused by a Prometheus without --enable-feature=promql-experimental-functions.
 */
export const STABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'abs',
  'absent',
  'absent_over_time',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atanh',
  'avg_over_time',
  'ceil',
  'changes',
  'clamp',
  'clamp_max',
  'clamp_min',
  'cos',
  'cosh',
  'count_over_time',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'deg',
  'delta',
  'deriv',
  'exp',
  'floor',
  'histogram_quantile',
  'hour',
  'idelta',
  'increase',
  'irate',
  'label_join',
  'label_replace',
  'last_over_time',
  'ln',
  'log10',
  'log2',
  'max_over_time',
  'min_over_time',
  'minute',
  'month',
  'pi',
  'predict_linear',
  'present_over_time',
  'quantile_over_time',
  'rad',
  'rate',
  'resets',
  'round',
  'scalar',
  'sgn',
  'sin',
  'sinh',
  'sort',
  'sort_desc',
  'sqrt',
  'stddev_over_time',
  'stdvar_over_time',
  'sum_over_time',
  'tan',
  'tanh',
  'time',
  'timestamp',
  'vector',
  'year',
]);

/** Aggregation operators of PromQL without a feature flag (limitk and limit_ratio need one). */
export const STABLE_AGGREGATIONS: ReadonlySet<string> = new Set([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
]);

/** A label matcher of a selector: `metric{label="..."}`. */
export interface Matcher {
  metric: string;
  label: string;
}

export interface ParsedPromql {
  /** Syntax errors and unknown or experimental functions; empty when the expression is good. */
  errors: string[];
  /** The metric names of its selectors, in order, each once. */
  metrics: string[];
  matchers: Matcher[];
}

/** Parses one PromQL expression (Grafana variables already replaced, see grafanaToPromql). */
export function parsePromql(expr: string): ParsedPromql {
  const errors: string[] = [];
  const metrics: string[] = [];
  const matchers: Matcher[] = [];
  if (!expr.trim()) errors.push('empty expression');
  const text = (from: number, to: number): string => expr.slice(from, to);
  const where = (at: number): string =>
    `at ${at}: ${JSON.stringify(expr.slice(Math.max(0, at - 25), at))} ⟨here⟩ ${JSON.stringify(expr.slice(at, at + 25))}`;
  parser.parse(expr).iterate({
    enter(ref) {
      if (ref.type.isError) {
        errors.push(`syntax error ${where(ref.from)}`);
        return;
      }
      const name = ref.type.name;
      if (name === 'FunctionIdentifier') {
        const fn = text(ref.from, ref.to);
        if (!STABLE_FUNCTIONS.has(fn)) errors.push(`${fn}() is not a stable PromQL function`);
      } else if (name === 'AggregateOp') {
        const op = text(ref.from, ref.to).toLowerCase();
        if (!STABLE_AGGREGATIONS.has(op)) errors.push(`${op} is not a stable PromQL aggregation`);
      } else if (name === 'VectorSelector') {
        const selector = ref.node;
        const id = selector.getChild('Identifier');
        if (!id) {
          errors.push(`a selector without a metric name ${where(ref.from)}`);
          return;
        }
        const metric = text(id.from, id.to);
        if (!metrics.includes(metric)) metrics.push(metric);
        for (const m of selector.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
          const label = m.getChild('LabelName');
          if (label) matchers.push({ metric, label: text(label.from, label.to) });
        }
        for (const quoted of selector.getChild('LabelMatchers')?.getChildren('QuotedLabelMatcher') ?? [])
          errors.push(`a quoted label name ${where(quoted.from)}: not every Prometheus takes it`);
      }
    },
  });
  return { errors, metrics, matchers };
}

/** Prometheus's duration syntax (for:, range selectors): units from largest to smallest, each once. */
export const DURATION = /^(?=\d)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

// ---------------------------------------------------------------------------
// Grafana

/** Variables Grafana itself defines, replaced by a range when a query is sent. */
const GRAFANA_RANGES = new Set(['__rate_interval', '__interval', '__range']);
/** Variables Grafana itself defines that stand for a number. */
const GRAFANA_NUMBERS = new Set(['__interval_ms', '__range_s', '__range_ms']);

/** `$name`, `${name}`, `${name:format}` and `[[name]]`. */
const VARIABLE = /\$(\w+)|\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]/g;

/**
 * A Grafana query as PromQL, its variables replaced as Grafana would send them:
 * the built-in ranges by 5m, the built-in numbers by 1, and the board's own
 * variables (which stand in label values, inside strings) by a word.
 * Also says which of the board's variables the query uses.
 */
export function grafanaToPromql(query: string): { expr: string; variables: string[] } {
  const variables: string[] = [];
  const expr = query.replace(VARIABLE, (_whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    if (GRAFANA_RANGES.has(name)) return '5m';
    if (GRAFANA_NUMBERS.has(name)) return '1';
    if (!variables.includes(name)) variables.push(name);
    return 'value';
  });
  return { expr, variables };
}

export interface DatasourceRef {
  type?: string;
  uid?: string;
}
export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}
export interface Target {
  refId?: string;
  expr?: string;
  datasource?: DatasourceRef;
}
export interface Panel {
  id?: number;
  type?: string;
  title?: string;
  gridPos?: GridPos;
  datasource?: DatasourceRef | string | null;
  targets?: Target[];
  panels?: Panel[];
}
export interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: DatasourceRef | string | null;
}
export interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  templating?: { list?: Variable[] };
  panels?: Panel[];
}

/** The data source every panel and query must name: the board's variable. */
export const DATASOURCE_REF: DatasourceRef = { type: 'prometheus', uid: '${datasource}' };

/** Every panel, rows' folded panels included. */
export function allPanels(board: Dashboard): Panel[] {
  return (board.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** One PromQL expression of a board or a rule file, and where it stands. */
export interface Expression {
  where: string;
  /** As written (with Grafana's variables in a board). */
  query: string;
  /** As Prometheus gets it. */
  expr: string;
  /** The board's variables it uses. */
  variables: string[];
}

/** The PromQL inside a query variable's query: label_values(selector, label) or query_result(expr). */
function variablePromql(query: string): string | undefined {
  const m = /^\s*(label_values|query_result)\s*\((.*)\)\s*$/s.exec(query);
  if (!m) return undefined;
  if (m[1] === 'query_result') return m[2];
  const comma = m[2]!.lastIndexOf(',');
  return comma < 0 ? undefined : m[2]!.slice(0, comma);
}

/** Every PromQL expression of a board: its panels' targets and its query variables. */
export function dashboardExpressions(board: Dashboard, file: string): Expression[] {
  const out: Expression[] = [];
  for (const v of board.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const query = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    const promql = variablePromql(query);
    if (promql !== undefined) out.push({ where: `${file}: variable ${v.name}`, query, ...grafanaToPromql(promql) });
  }
  for (const p of allPanels(board))
    for (const t of p.targets ?? [])
      out.push({ where: `${file}: panel ${p.id} "${p.title}" target ${t.refId}`, query: t.expr ?? '', ...grafanaToPromql(t.expr ?? '') });
  return out;
}

export interface BoardFile {
  file: string;
  text: string;
}

export function boardFiles(): BoardFile[] {
  return chartFiles('dashboards', '.json').map((file) => ({ file, text: readFileSync(join(chartDir, file), 'utf8') }));
}

const sameRef = (a: DatasourceRef | string | null | undefined): boolean =>
  typeof a === 'object' && a !== null && a.type === DATASOURCE_REF.type && a.uid === DATASOURCE_REF.uid;

/**
 * What is wrong with a board: not JSON, no stable uid or title, no Prometheus
 * data source variable, panel ids not unique, a panel or target that does not
 * query through the variable, panels outside the grid or on top of each other,
 * a variable used but not defined, PromQL that does not parse. Empty when good.
 */
export function lintDashboard({ file, text }: BoardFile): string[] {
  let board: Dashboard;
  try {
    board = JSON.parse(text) as Dashboard;
  } catch (err) {
    return [`${file}: not JSON: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  const say = (what: string): void => void problems.push(`${file}: ${what}`);
  if (!board.uid || !/^[a-z0-9-]{1,40}$/.test(board.uid)) say(`uid ${JSON.stringify(board.uid)} is not a stable name (a-z, 0-9, -)`);
  if (!board.title) say('no title');
  if (!board.schemaVersion || board.schemaVersion < 36) say(`schemaVersion ${board.schemaVersion} is older than Grafana 9`);

  const variables = board.templating?.list ?? [];
  const defined = new Set(variables.map((v) => v.name));
  const ds = variables.find((v) => v.name === 'datasource');
  if (ds?.type !== 'datasource' || ds.query !== 'prometheus')
    say('no variable "datasource" of type datasource choosing a prometheus data source');
  for (const v of variables)
    if (v.type === 'query' && !sameRef(v.datasource)) say(`variable ${v.name} does not query through \${datasource}`);

  const ids = new Set<number>();
  const placed: { id: number; g: GridPos }[] = [];
  for (const p of allPanels(board)) {
    const name = `panel ${p.id} "${p.title}"`;
    if (typeof p.id !== 'number') say(`a panel without an id: "${p.title}"`);
    else if (ids.has(p.id)) say(`panel id ${p.id} is not unique`);
    else ids.add(p.id);
    const g = p.gridPos;
    if (!g || g.w < 1 || g.h < 1 || g.x < 0 || g.y < 0 || g.x + g.w > 24)
      say(`${name}: gridPos ${JSON.stringify(g)} is not on the 24-column grid`);
    else {
      for (const o of placed)
        if (g.x < o.g.x + o.g.w && o.g.x < g.x + g.w && g.y < o.g.y + o.g.h && o.g.y < g.y + g.h) say(`${name} overlaps panel ${o.id}`);
      placed.push({ id: p.id ?? 0, g });
    }
    if (p.type === 'row') {
      if (p.targets?.length) say(`${name}: a row with queries`);
      continue;
    }
    if (!p.title) say(`panel ${p.id} has no title`);
    if (!sameRef(p.datasource)) say(`${name}: datasource ${JSON.stringify(p.datasource)} is not \${datasource}`);
    if (!p.targets?.length) say(`${name}: no queries`);
    const refIds = new Set<string>();
    for (const t of p.targets ?? []) {
      if (!t.refId || refIds.has(t.refId)) say(`${name}: refId ${t.refId} missing or repeated`);
      refIds.add(t.refId ?? '');
      if (!sameRef(t.datasource)) say(`${name} target ${t.refId}: datasource ${JSON.stringify(t.datasource)} is not \${datasource}`);
    }
  }

  for (const e of dashboardExpressions(board, file)) {
    for (const v of e.variables) if (!defined.has(v)) problems.push(`${e.where}: variable $${v} is not defined`);
    for (const err of parsePromql(e.expr).errors) problems.push(`${e.where}: ${err}\n    ${e.query}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Alert rules

export interface Rule {
  alert?: string;
  record?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name?: string;
  interval?: string;
  rules?: Rule[];
}

export interface RuleFile {
  file: string;
  text: string;
}

export function ruleFiles(): RuleFile[] {
  return chartFiles('alerts', '.yaml').map((file) => ({ file, text: readFileSync(join(chartDir, file), 'utf8') }));
}

export const SEVERITIES: ReadonlySet<string> = new Set(['critical', 'warning', 'info']);

/** The rule groups of a file; throws when it is not YAML holding `groups:`. */
export function ruleGroups({ file, text }: RuleFile): RuleGroup[] {
  const doc = parse(text) as { groups?: unknown } | null;
  if (!doc || !Array.isArray(doc.groups)) throw new Error(`${file}: no list named groups`);
  return doc.groups as RuleGroup[];
}

/**
 * What is wrong with rule groups: a group without a name or rules, a rule that
 * is neither one alert nor one record, PromQL that does not parse, a `for` or
 * `interval` that is no Prometheus duration, an alert without a severity or
 * without summary and description, an annotation naming a label its expression
 * does not mention. Alert and group names must be unique across `groups`.
 */
export function lintRuleGroups(groups: RuleGroup[], where: string): string[] {
  const problems: string[] = [];
  const groupNames = new Set<string>();
  const alerts = new Set<string>();
  for (const g of groups) {
    const gw = `${where}: group ${g.name}`;
    if (!g.name) problems.push(`${where}: a group without a name`);
    else if (groupNames.has(g.name)) problems.push(`${gw}: the name is not unique`);
    groupNames.add(g.name ?? '');
    if (g.interval !== undefined && !DURATION.test(g.interval)) problems.push(`${gw}: interval ${g.interval} is not a duration`);
    if (!Array.isArray(g.rules) || g.rules.length === 0) problems.push(`${gw}: no rules`);
    for (const r of g.rules ?? []) {
      const name = r.alert ?? r.record;
      const rw = `${gw}: ${r.alert ? 'alert' : 'record'} ${name}`;
      const known = new Set(['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);
      for (const key of Object.keys(r)) if (!known.has(key)) problems.push(`${rw}: unknown field ${key}`);
      if ((r.alert === undefined) === (r.record === undefined)) {
        problems.push(`${gw}: a rule must have one of alert and record`);
        continue;
      }
      if (typeof r.expr !== 'string' || !r.expr.trim()) problems.push(`${rw}: no expr`);
      else for (const err of parsePromql(r.expr).errors) problems.push(`${rw}: ${err}`);
      if (r.record !== undefined) {
        if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(r.record)) problems.push(`${rw}: not a metric name`);
        if (r.for !== undefined || r.annotations !== undefined) problems.push(`${rw}: a recording rule has no for or annotations`);
        continue;
      }
      if (!/^[A-Z][A-Za-z0-9]+$/.test(r.alert!)) problems.push(`${rw}: alert names are CamelCase`);
      if (alerts.has(r.alert!)) problems.push(`${rw}: the name is not unique`);
      alerts.add(r.alert!);
      if (r.for === undefined || !DURATION.test(r.for)) problems.push(`${rw}: for ${JSON.stringify(r.for)} is not a duration`);
      if (!SEVERITIES.has(r.labels?.severity ?? '')) problems.push(`${rw}: labels.severity is not one of ${[...SEVERITIES].join(', ')}`);
      for (const key of ['summary', 'description']) if (!r.annotations?.[key]?.trim()) problems.push(`${rw}: no annotations.${key}`);
      for (const [key, value] of Object.entries(r.annotations ?? {})) {
        if ((value.match(/\{\{/g) ?? []).length !== (value.match(/\}\}/g) ?? []).length)
          problems.push(`${rw}: annotations.${key} has unbalanced {{ }}`);
        for (const m of value.matchAll(/\$labels\.(\w+)/g))
          if (!new RegExp(`\\b${m[1]}\\b`).test(r.expr ?? ''))
            problems.push(`${rw}: annotations.${key} names label ${m[1]}, which expr never mentions`);
      }
    }
  }
  return problems;
}

/** Every PromQL expression of rule groups. */
export function ruleExpressions(groups: RuleGroup[], where: string): Expression[] {
  return groups.flatMap((g) =>
    (g.rules ?? []).map((r) => ({
      where: `${where}: group ${g.name} ${r.alert ? `alert ${r.alert}` : `record ${r.record}`}`,
      query: r.expr ?? '',
      expr: r.expr ?? '',
      variables: [],
    })),
  );
}

/** The names recorded by recording rules. */
export function recordedNames(groups: RuleGroup[]): Set<string> {
  return new Set(groups.flatMap((g) => (g.rules ?? []).flatMap((r) => (r.record ? [r.record] : []))));
}

/**
 * The names the chart's PrometheusRule template records itself (from the values):
 * every `"record" "NAME"` in templates/prometheusrule.yaml.
 */
export function templateRecordedNames(): Set<string> {
  const text = readFileSync(join(chartDir, 'templates/prometheusrule.yaml'), 'utf8');
  return new Set([...text.matchAll(/"record"\s+"([a-zA-Z_:][a-zA-Z0-9_:]*)"/g)].map((m) => m[1]!));
}

// ---------------------------------------------------------------------------
// What a process exports

/** A metric family of a Prometheus text exposition: its type and its samples' names and labels. */
export interface Family {
  name: string;
  type: string;
  samples: { name: string; labels: Record<string, string> }[];
}

/** The families of a /metrics text (Prometheus text format 0.0.4). */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', samples: [] }));
    return f;
  };
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      family(type[1]!).type = type[2]!;
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+( \d+)?$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const name = m[1]!;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    // A sample belongs to the family it extends (name_bucket to a histogram name, ...), else to its own.
    const owner = [
      name,
      ...['_bucket', '_sum', '_count', '_total', '_created'].filter((s) => name.endsWith(s)).map((s) => name.slice(0, -s.length)),
    ].find((n) => types.has(n));
    family(owner ?? name).samples.push({ name, labels });
  }
  return families;
}

/** The series names a family stands for in PromQL: a histogram's _bucket, _sum and _count, a counter's _total. */
export function seriesNames(f: Family): string[] {
  switch (f.type) {
    case 'histogram':
      return [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`];
    case 'summary':
      return [f.name, `${f.name}_sum`, `${f.name}_count`];
    case 'counter':
      return f.name.endsWith('_total') ? [f.name] : [f.name, `${f.name}_total`];
    default:
      return [f.name];
  }
}

/** A metric name an expression uses that nothing exports, and where. */
export interface Unexported {
  name: string;
  where: string;
}

/**
 * The metric names of the expressions that no scraped process exports (as a
 * series of a family: a histogram's _bucket, ...), no rule records and the
 * allowlist of other exporters does not hold.
 */
export function unexportedNames(
  expressions: Expression[],
  families: Iterable<Family>,
  recorded: ReadonlySet<string>,
  otherExporters: ReadonlySet<string>,
): Unexported[] {
  const exported = new Set([...families].flatMap(seriesNames));
  const out: Unexported[] = [];
  for (const e of expressions)
    for (const name of parsePromql(e.expr).metrics)
      if (!exported.has(name) && !recorded.has(name) && !otherExporters.has(name)) out.push({ name, where: e.where });
  return out;
}

/** Labels Prometheus adds to every series of a target scraped through the ServiceMonitor. */
export const TARGET_LABELS: ReadonlySet<string> = new Set(['namespace', 'pod', 'container', 'endpoint', 'job', 'instance', 'service']);

/**
 * Label matchers of the expressions whose label no sample of the family carries
 * (a misspelt label matches nothing, and the panel stays empty). Only families
 * with samples can tell; target labels are always there.
 */
export function unknownLabels(expressions: Expression[], families: Iterable<Family>): { metric: string; label: string; where: string }[] {
  const labels = new Map<string, Set<string>>();
  for (const f of families)
    for (const s of f.samples) {
      let set = labels.get(s.name);
      if (!set) labels.set(s.name, (set = new Set()));
      for (const l of Object.keys(s.labels)) set.add(l);
    }
  const out: { metric: string; label: string; where: string }[] = [];
  for (const e of expressions)
    for (const { metric, label } of parsePromql(e.expr).matchers) {
      const known = labels.get(metric);
      if (known && !known.has(label) && !TARGET_LABELS.has(label)) out.push({ metric, label, where: e.where });
    }
  return out;
}
