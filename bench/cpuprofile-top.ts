// Summarizes V8 .cpuprofile files (from `node --cpu-prof`, e.g. the edge and the
// mailbox service of a bench run with BENCH_CPU_PROF_DIR): where the CPU time
// goes, by module group, by function (self time) and by repository function
// (inclusive time).
//
//   node --conditions=source --import tsx bench/cpuprofile-top.ts FILE.cpuprofile [TOP=25]
import { readFileSync } from 'node:fs';
import { repoRoot } from '../e2e/src/cluster.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function where(cf: CallFrame): string {
  let url = cf.url.replace(/^file:\/\//, '');
  if (url.startsWith(repoRoot)) url = url.slice(repoRoot.length);
  url = url.replace(/^.*node_modules\//, 'node_modules/');
  const name = cf.functionName || '(anonymous)';
  return url ? `${url}:${cf.lineNumber + 1} ${name}` : name;
}

function group(cf: CallFrame): string {
  const u = cf.url;
  if (!u) return cf.functionName.startsWith('(') ? cf.functionName : '(native/builtin)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (nm) return nm[1]!;
  if (u.startsWith('node:')) return 'node:' + u.slice(5).split('/')[0];
  const rel = u.replace(/^file:\/\//, '').replace(repoRoot, '');
  const m = /^(services\/[^/]+\/src\/(?:[^/]+\/)?)/.exec(rel);
  return m ? m[1]! : rel;
}

/** Caller frames (outside node:* and natives), then repository frames, shown per hot function. */
const CHAIN = 4;

function main(): void {
  const file = process.argv[2];
  const top = Number(process.argv[3] ?? 25);
  if (!file) throw new Error('usage: cpuprofile-top.ts FILE.cpuprofile [TOP]');
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) byId.set(n.id, n);
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  /** Per self-time function: its callers' chains (a few frames up). */
  const callers = new Map<string, Map<string, number>>();
  const incl = new Map<string, number>();
  const groups = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    const node = byId.get(p.samples[i]!);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    total += dt;
    const k = where(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + dt);
    const g = group(node.callFrame);
    groups.set(g, (groups.get(g) ?? 0) + dt);
    const chain: string[] = [];
    // The nearest callers outside Node's own modules (node:*) and natives: the code to look at.
    // Then the nearest repository frames (services/...), which say what the work was for.
    let repoFrames = 0;
    for (let id = parent.get(node.id), depth = 0; id !== undefined && repoFrames < CHAIN && depth < 80; id = parent.get(id), depth++) {
      const cf = byId.get(id)!.callFrame;
      if (cf.functionName === '(root)') break;
      if (!cf.url || cf.url.startsWith('node:')) continue;
      const inRepo = cf.url.includes('/services/');
      if (chain.length < CHAIN || inRepo) chain.push((chain.length >= CHAIN && repoFrames === 0 ? '... ' : '') + where(cf));
      if (inRepo) repoFrames++;
    }
    let cm = callers.get(k);
    if (!cm) callers.set(k, (cm = new Map<string, number>()));
    const ck = chain.join('\n        <- ');
    cm.set(ck, (cm.get(ck) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id)!.callFrame;
      if (!cf.url.includes('/services/')) continue;
      const key = where(cf);
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + dt);
    }
  }
  const wall = (p.endTime - p.startTime) / 1e6;
  const pct = (v: number) => ((100 * v) / total).toFixed(1).padStart(5) + '%';
  const ms = (v: number) => (v / 1000).toFixed(0).padStart(8) + ' ms';
  console.log(
    `${file}\n  profile ${wall.toFixed(1)} s wall, ${(total / 1e6).toFixed(1)} s on CPU (non-idle), ${(idle / 1e6).toFixed(1)} s idle`,
  );
  const print = (title: string, m: Map<string, number>, n: number) => {
    console.log(`\n  ${title}`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(v)} ${ms(v)}  ${k}`);
  };
  print('by module (self time)', groups, 20);
  print('functions by self time', self, top);
  print('repository functions by inclusive time', incl, top);
  console.log('\n  who calls the top 5 functions by self time (most expensive call chains)');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP_CALLERS ?? 5))) {
    console.log(`  ${pct(v)} ${k}`);
    for (const [chain, cv] of [...callers.get(k)!].sort((a, b) => b[1] - a[1]).slice(0, 3)) console.log(`    ${pct(cv)}   <- ${chain}`);
  }
}

main();
