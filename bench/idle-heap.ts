// What an IDLE session keeps in the edge's heap: starts kimap (edge, mailbox,
// PostgreSQL, Kafka), takes a heap snapshot of the edge, opens N IDLE
// sessions (LOGIN, SELECT INBOX with 200 messages, IDLE), takes another, and
// prints the objects that grew, by constructor, per session.
//
// Run: source scripts/test-env.sh && node --conditions=source --import tsx bench/idle-heap.ts
// Options: BENCH_IDLE_SESSIONS (default 2000), BENCH_HEAP_DIR (snapshots; default a temporary folder).
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapConn, destroyAll } from './lib/imap-conn.js';
import { seedMessage } from './lib/messages.js';
import { PASSWORD, startKimap, userName } from './lib/targets.js';

const SESSIONS = Number(process.env.BENCH_IDLE_SESSIONS ?? 2000);
const USERS = 20;
const dir = process.env.BENCH_HEAP_DIR ?? mkdtempSync(join(tmpdir(), 'kimap-heap-'));

interface Totals {
  count: Map<string, number>;
  bytes: Map<string, number>;
}

/**
 * Self sizes by "type:name" over a .heapsnapshot (the V8 JSON format). Backing
 * stores (property and element arrays) are named after the object that owns them.
 */
function summarize(file: string): Totals {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[] } };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const iEdges = fields.indexOf('edge_count');
  const edgeWidth = snap.snapshot.meta.edge_fields.length;
  const iTo = snap.snapshot.meta.edge_fields.indexOf('to_node');
  const types = snap.snapshot.meta.node_types[0];
  const nameOf = (i: number) => snap.strings[snap.nodes[i + iName]!]!;
  const owner = new Map<number, string>();
  for (let i = 0, e = 0; i < snap.nodes.length; i += width) {
    const n = snap.nodes[i + iEdges]!;
    for (let k = 0; k < n; k++, e += edgeWidth) {
      const to = snap.edges[e + iTo]!;
      const childName = nameOf(to);
      const ownerType = types[snap.nodes[i + iType]!];
      if (
        (childName === '(object properties)' || childName === '(object elements)') &&
        (ownerType === 'object' || ownerType === 'closure')
      ) {
        owner.set(to, nameOf(i) || '(anonymous)');
      }
    }
  }
  const count = new Map<string, number>();
  const bytes = new Map<string, number>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]!]!;
    let name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '(string)' : nameOf(i);
    if (type === 'code' || type === 'hidden') name = `(${type})`;
    const of = owner.get(i);
    if (of !== undefined) name += ` of ${of}`;
    if (name.length > 60) name = name.slice(0, 57) + '...';
    const key = `${type}:${name}`;
    count.set(key, (count.get(key) ?? 0) + 1);
    bytes.set(key, (bytes.get(key) ?? 0) + snap.nodes[i + iSize]!);
  }
  return { count, bytes };
}

async function snapshot(pid: number, label: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await sleep(500);
    const fresh = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    // Written when its size stops changing.
    if (fresh.length) {
      const f = join(dir, fresh[0]!);
      const s1 = statSync(f).size;
      await sleep(1000);
      if (statSync(f).size === s1 && s1 > 0) {
        console.log(`heap snapshot ${label}: ${f} (${(s1 / 1e6).toFixed(1)} MB)`);
        return f;
      }
    }
  }
  throw new Error('no heap snapshot written');
}

async function main(): Promise<void> {
  const kimap = await startKimap({
    users: USERS,
    log: (s) => console.log(s),
    extraEnv: { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}` },
  });
  try {
    for (let u = 1; u <= USERS; u++) {
      const seeder = await ImapConn.open({ port: kimap.port });
      await seeder.command(`LOGIN ${userName(u)} ${PASSWORD}`);
      const parts: Array<string | Buffer> = ['APPEND INBOX'];
      for (let i = 0; i < 200; i++) {
        const m = seedMessage(userName(u), u, i, false);
        parts.push(` ${m.flags ? `(${m.flags}) ` : ''}"${m.internalDate}" `, m.data);
      }
      parts.push('');
      const r = await seeder.commandWithLiterals(parts, true);
      if (r.status !== 'OK') throw new Error(`seeding: ${r.text}`);
      seeder.destroy();
    }
    await sleep(2000);
    const edgePid = kimap.edge.child.pid!;
    const first = await snapshot(edgePid, 'before');
    console.log(`edge RSS before the sessions: ${(kimap.memory().rssKb / 1024).toFixed(1)} MB`);
    const conns: ImapConn[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const c = await ImapConn.open({ port: kimap.port, localAddress: `127.0.0.${1 + (i % 4)}` });
      await c.command(`LOGIN ${userName(1 + (i % USERS))} ${PASSWORD}`);
      await c.command('SELECT INBOX');
      if (!(await c.idle())) throw new Error('IDLE refused');
      conns.push(c);
    }
    await sleep(3000);
    const rss = () => kimap.memory().rssKb;
    const rssBefore = rss();
    const second = await snapshot(edgePid, `with ${SESSIONS} IDLE sessions`);
    console.log(
      `edge RSS with the sessions: ${(rssBefore / 1024).toFixed(1)} MB before the snapshot's full GC, ${(rss() / 1024).toFixed(1)} MB after`,
    );
    const a = summarize(first);
    const b = summarize(second);
    const rows = [...b.bytes.entries()]
      .map(([k, v]) => ({ k, bytes: v - (a.bytes.get(k) ?? 0), count: (b.count.get(k) ?? 0) - (a.count.get(k) ?? 0) }))
      .filter((r) => r.bytes > 0)
      .sort((x, y) => y.bytes - x.bytes);
    const total = rows.reduce((t, r) => t + r.bytes, 0);
    console.log(`\nheap growth: ${(total / 1024 / SESSIONS).toFixed(2)} KB per session (self sizes, after the snapshot's GC)`);
    console.log('bytes/session  objects/session  type:constructor');
    for (const r of rows.slice(0, 40)) {
      console.log(`${(r.bytes / SESSIONS).toFixed(0).padStart(13)}  ${(r.count / SESSIONS).toFixed(2).padStart(15)}  ${r.k}`);
    }
    destroyAll();
  } finally {
    await kimap.stop();
  }
}

await main();
