// The FETCH lines written from columns are byte for byte the lines the
// token-by-token encoder writes for the same messages and items.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ColumnLineWriter, columnItems, InvalidStoredFlag } from '../src/commands/fetch-columns.js';
import type { FetchItem } from '../src/commands/fetch-items.js';
import { formatDateTime, ResponseEncoder } from '../src/protocol/index.js';

interface Msg {
  uid: number;
  modseq: number;
  dateMs: number;
  size: number;
  flags: string[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function int64s(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => b.writeBigInt64BE(BigInt(v), i * 8));
  return b;
}

function columns(msgs: Msg[], want: { modseq: boolean; date: boolean; size: boolean }) {
  return {
    count: msgs.length,
    uids: int64s(msgs.map((m) => m.uid)),
    modseqs: want.modseq ? int64s(msgs.map((m) => m.modseq)) : Buffer.alloc(0),
    internalDatesMs: want.date ? int64s(msgs.map((m) => m.dateMs)) : Buffer.alloc(0),
    sizes: want.size ? int64s(msgs.map((m) => m.size)) : Buffer.alloc(0),
    flags: msgs.map((m) => m.flags.join(' ')).join('\n'),
  };
}

/** The oracle: the same lines through ResponseEncoder, token by token. */
function expected(msgs: Msg[], items: FetchItem[], seqOf: (uid: number) => number, wanted: (uid: number) => boolean): string {
  let out = '';
  const enc = new ResponseEncoder((c) => (out += c.toString()));
  for (const m of msgs) {
    const seq = seqOf(m.uid);
    if (!seq || !wanted(m.uid)) continue;
    enc.untagged().number(seq).raw(' FETCH (');
    items.forEach((it, i) => {
      if (i) enc.sp();
      if (it.kind === 'uid') enc.raw('UID ').number(m.uid);
      else if (it.kind === 'flags') enc.raw('FLAGS ').flags(m.flags);
      else if (it.kind === 'modseq') enc.raw('MODSEQ (').number(m.modseq).raw(')');
      else if (it.kind === 'internaldate') enc.raw('INTERNALDATE "' + formatDateTime(new Date(m.dateMs)) + '"');
      else if (it.kind === 'rfc822.size') enc.raw('RFC822.SIZE ').number(m.size);
    });
    enc.raw(')').crlf();
  }
  enc.flush();
  return out;
}

const FLAG_SETS = [[], ['\\Seen'], ['\\Seen', '\\Flagged'], ['\\Answered', '\\Seen', '$Forwarded', 'Work'], ['\\Deleted']];
const KINDS: FetchItem['kind'][] = ['uid', 'flags', 'modseq', 'internaldate', 'rfc822.size'];

test("lines from columns equal the encoder's, whatever the items, numbers and page boundaries", () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const n = seed === 1 ? 0 : Math.floor(r() * (seed % 5 === 0 ? 6000 : 300));
    let uid = 1;
    const msgs: Msg[] = [];
    for (let i = 0; i < n; i++) {
      uid += r() < 0.8 ? 1 : 1 + Math.floor(r() * 1000);
      msgs.push({
        uid: seed % 7 === 0 ? 4294967000 - n + i : uid,
        // Past 2^31 and 2^32: numbers that need more than small-integer arithmetic.
        modseq: Math.floor(r() * (seed % 3 ? 1e6 : 2 ** 52)),
        dateMs: Date.UTC(1990, 0, 1) + Math.floor(r() * 1.2e12),
        size: Math.floor(r() * (seed % 4 ? 1e5 : 5e9)),
        flags: FLAG_SETS[Math.floor(r() * FLAG_SETS.length)]!,
      });
    }
    const items = KINDS.filter(() => r() < 0.6).map((kind) => ({ kind }) as FetchItem);
    if (!items.length) items.push({ kind: 'flags' });
    const want = {
      modseq: items.some((i) => i.kind === 'modseq'),
      date: items.some((i) => i.kind === 'internaldate'),
      size: items.some((i) => i.kind === 'rfc822.size'),
    };
    // Every third message is not in the session's view, every fifth not in the set asked for.
    const seqs = new Map(msgs.filter((_, i) => i % 3 !== 1).map((m, i) => [m.uid, i + 1]));
    const seqOf = (u: number) => seqs.get(u) ?? 0;
    const wanted = (u: number) => msgs.findIndex((m) => m.uid === u) % 5 !== 4;
    const chunks: Buffer[] = [];
    const w = new ColumnLineWriter(items, (c) => chunks.push(Buffer.from(c)));
    // Pages of the service, in order.
    const page = 1 + Math.floor(r() * 500);
    for (let i = 0; i < msgs.length; i += page) w.page(columns(msgs.slice(i, i + page), want), seqOf, wanted);
    w.flush();
    assert.ok(
      chunks.every((c) => c.length <= 64 * 1024 + 1024),
      'chunks stay bounded',
    );
    assert.equal(Buffer.concat(chunks).toString('latin1'), expected(msgs, items, seqOf, wanted), `seed ${seed}`);
  }
});

test('a stored flag that is not an atom is refused, not sent', () => {
  const w = new ColumnLineWriter([{ kind: 'flags' }], () => undefined);
  const msgs: Msg[] = [{ uid: 1, modseq: 1, dateMs: 0, size: 1, flags: ['bad(flag'] }];
  assert.throws(
    () =>
      w.page(
        columns(msgs, { modseq: false, date: false, size: false }),
        () => 1,
        () => true,
      ),
    InvalidStoredFlag,
  );
});

test('only metadata items are answered from columns', () => {
  assert.equal(columnItems(KINDS.map((kind) => ({ kind }) as FetchItem)), true);
  assert.equal(columnItems([{ kind: 'uid' }, { kind: 'envelope' }] as FetchItem[]), false);
  assert.equal(columnItems([{ kind: 'uid' }, { kind: 'binary.size', part: [1] }] as unknown as FetchItem[]), false);
});

test('beforeFlags is told of each set of flags before the first line that shows it, with the earlier lines handed on first', () => {
  const out: string[] = [];
  const seen: string[][] = [];
  const w = new ColumnLineWriter(
    [{ kind: 'flags' }],
    (chunk) => out.push(chunk.toString()),
    (flags, flushLines) => {
      seen.push(flags);
      if (flags.includes('New')) {
        flushLines();
        out.push('* FLAGS (New)\r\n');
      }
    },
  );
  const msgs = [
    { uid: 1, modseq: 1, dateMs: 0, size: 1, flags: ['\\Seen'] },
    { uid: 2, modseq: 1, dateMs: 0, size: 1, flags: ['\\Seen'] },
    { uid: 3, modseq: 1, dateMs: 0, size: 1, flags: ['\\Seen', 'New'] },
    { uid: 4, modseq: 1, dateMs: 0, size: 1, flags: ['\\Seen'] },
  ];
  w.page(
    columns(msgs, { modseq: false, date: false, size: false }),
    (uid) => uid,
    () => true,
  );
  w.flush();
  assert.deepEqual(seen, [['\\Seen'], ['\\Seen', 'New']]);
  assert.equal(
    out.join(''),
    '* 1 FETCH (FLAGS (\\Seen))\r\n* 2 FETCH (FLAGS (\\Seen))\r\n* FLAGS (New)\r\n* 3 FETCH (FLAGS (\\Seen New))\r\n* 4 FETCH (FLAGS (\\Seen))\r\n',
  );
});
