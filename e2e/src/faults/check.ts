// Holds the mailboxes of a storm (load.ts) against what the server
// acknowledged: every APPEND that got OK present exactly once, none
// duplicated, a MOVE never in both mailboxes or in neither, the UIDs the
// server gave still naming the messages, UIDs strictly ascending, UIDVALIDITY
// unchanged. And the table of faults and outcomes the suite prints.
import { ImapClient } from '../../../services/imap-edge/test/support/imap-client.js';
import { boxes, fetchedFlags, userOf, type Load } from './load.js';

export interface FaultOutcome {
  fault: string;
  /** APPENDs that got a tagged OK. */
  acknowledged: number;
  /** Of those, present exactly once (in `in` or, moved, in `out`). */
  present: number;
  /** Messages found more than once (acknowledged or not), copies counted apart. */
  duplicated: number;
  /** Acknowledged messages (or acknowledged copies) found nowhere. */
  lost: number;
  /** Commands by outcome, and NO by response code. */
  ok: number;
  no: Record<string, number>;
  bad: number;
  unknown: number;
  /** Commands without a reply, by kind and why ("APPEND: connection closed"). */
  unknownBy: Record<string, number>;
  reconnections: number;
  resyncMismatches: number;
  /** Every broken rule, in words (the first ones are shown by a failing test). */
  problems: string[];
}

interface Found {
  box: 'in' | 'copy' | 'out';
  uid: number;
  flags: string;
}

/** Reads every mailbox of the run through `port` and checks it against the log. */
export async function verify(load: Load, port: number, fault: string): Promise<FaultOutcome> {
  const s = load.settings;
  const found = new Map<string, Found[]>();
  const problems: string[] = [];
  const users = new Map<string, number[]>();
  for (let k = 0; k < s.clients; k++) users.set(userOf(s, k), [...(users.get(userOf(s, k)) ?? []), k]);
  for (const [user, clients] of users) {
    const { client } = await ImapClient.connect(port, { timeoutMs: 30_000 });
    try {
      const login = await client.command('l', `LOGIN ${user} ${s.password}`, 30_000);
      if (!login.tagged.startsWith('l OK')) throw new Error(`verify: login of ${user}: ${login.tagged}`);
      for (const k of clients) {
        for (const [which, box] of Object.entries(boxes(s.run, k)) as Array<[Found['box'], string]>) {
          const sel = await client.command('s', `EXAMINE ${box}`, 30_000);
          if (!sel.tagged.startsWith('s OK')) throw new Error(`verify: EXAMINE ${box}: ${sel.tagged}`);
          const v = /\[UIDVALIDITY (\d+)\]/.exec(sel.untagged.join('\n'));
          load.seenUidValidity(box, Number(v?.[1]));
          const exists = Number(/^\* (\d+) EXISTS/m.exec(sel.untagged.join('\n'))?.[1] ?? 0);
          if (exists === 0) continue;
          const f = await client.command('f', 'UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])', 60_000);
          if (!f.tagged.startsWith('f OK')) throw new Error(`verify: FETCH in ${box}: ${f.tagged}`);
          const lines = f.untagged.filter((l) => / FETCH \(/.test(l));
          const flags = fetchedFlags(lines);
          let last = 0;
          for (const l of lines) {
            const uid = Number(/\bUID (\d+)/.exec(l)?.[1]);
            const id = /Message-ID:\s*(<[^>\s]+>)/i.exec(l)?.[1];
            if (!(uid > last)) problems.push(`${box}: UID ${uid} after UID ${last}: not strictly ascending`);
            last = uid;
            if (!id) {
              problems.push(`${box}: UID ${uid} has no Message-ID`);
              continue;
            }
            found.set(id, [...(found.get(id) ?? []), { box: which, uid, flags: flags.get(uid) ?? '' }]);
          }
          if (lines.length !== exists) problems.push(`${box}: EXISTS ${exists} but ${lines.length} messages fetched`);
        }
      }
    } finally {
      await client.close();
    }
  }

  let acknowledged = 0;
  let present = 0;
  let duplicated = 0;
  let lost = 0;
  const known = new Set<string>();
  const lastUid = new Map<string, number>();
  const ascending = (box: string, uid: number | undefined) => {
    if (uid === undefined) return;
    const prev = lastUid.get(box) ?? 0;
    if (uid <= prev) problems.push(`${box}: UID ${uid} acknowledged after UID ${prev}`);
    lastUid.set(box, uid);
  };
  for (const m of load.sent) {
    known.add(m.id);
    const b = boxes(s.run, m.client);
    const at = found.get(m.id) ?? [];
    const main = at.filter((f) => f.box !== 'copy');
    const copies = at.filter((f) => f.box === 'copy');
    if (main.length > 1) {
      duplicated++;
      const boxesHeld = main.map((f) => f.box).join('+');
      problems.push(`${m.id} (APPEND ${m.append}, MOVE ${m.move ?? '-'}) is ${main.length} times in ${boxesHeld}`);
    }
    if (copies.length > 1) {
      duplicated++;
      problems.push(`${m.id} (COPY ${m.copy ?? '-'}) has ${copies.length} copies`);
    }
    if (m.append !== 'ok') {
      if (m.append === 'bad') problems.push(`${m.id}: APPEND got BAD`);
      continue;
    }
    acknowledged++;
    ascending(b.in, m.uid);
    ascending(b.copy, m.copyUid);
    ascending(b.out, m.movedUid);
    if (main.length === 0) {
      lost++;
      problems.push(`${m.id} (UID ${m.uid}, MOVE ${m.move ?? '-'}) acknowledged and not found`);
      continue;
    }
    if (main.length === 1) present++;
    const where = main[0]!;
    if (m.move === 'ok' && (where.box !== 'out' || (m.movedUid !== undefined && where.uid !== m.movedUid))) {
      problems.push(`${m.id}: MOVE acknowledged (UID ${m.movedUid} in ${b.out}) but found as UID ${where.uid} in ${where.box}`);
    }
    if ((m.move === undefined || m.move === 'no') && (where.box !== 'in' || where.uid !== m.uid)) {
      // A MOVE refused after its deadline may still have run (the server did not get to say so).
      if (!(m.move === 'no' && where.box === 'out'))
        problems.push(`${m.id}: not moved but found as UID ${where.uid} in ${where.box}, not UID ${m.uid} in ${b.in}`);
    }
    if (m.store === 'ok' && !main.every((f) => f.flags.includes('\\Flagged')))
      problems.push(`${m.id}: STORE acknowledged, \\Flagged missing`);
    if (m.copy === 'ok') {
      if (copies.length === 0) {
        lost++;
        problems.push(`${m.id}: COPY acknowledged (UID ${m.copyUid}), no copy found`);
      } else if (m.copyUid !== undefined && copies[0]!.uid !== m.copyUid) {
        problems.push(`${m.id}: COPY acknowledged as UID ${m.copyUid}, copy found as UID ${copies[0]!.uid}`);
      } else if (m.store === 'ok' && !copies[0]!.flags.includes('\\Flagged')) {
        problems.push(`${m.id}: copied after STORE \\Flagged, the copy lacks it`);
      }
    }
    if (m.copy === undefined && copies.length > 0) problems.push(`${m.id}: never copied but has a copy`);
  }
  for (const id of found.keys()) if (!known.has(id)) problems.push(`${id}: found but never sent`);
  for (const c of load.uidValidityChanges) problems.push(`UIDVALIDITY changed: ${c}`);
  const resyncMismatches = load.resyncs.filter((r) => r.mismatch);
  for (const r of resyncMismatches) problems.push(`client ${r.client} resynchronised through server ${r.server}: ${r.mismatch}`);
  const no: Record<string, number> = {};
  for (const c of load.commands) if (c.outcome === 'no') no[c.code ?? 'none'] = (no[c.code ?? 'none'] ?? 0) + 1;
  const unknownBy: Record<string, number> = {};
  for (const c of load.commands) {
    if (c.outcome !== 'unknown') continue;
    const why = `${c.kind}: ${c.code ?? 'none'}`;
    unknownBy[why] = (unknownBy[why] ?? 0) + 1;
  }
  const bad = load.commands.filter((c) => c.outcome === 'bad');
  for (const c of bad.slice(0, 5)) problems.push(`client ${c.client}: ${c.kind} got BAD: ${c.text}`);
  return {
    fault,
    acknowledged,
    present,
    duplicated,
    lost,
    ok: load.commands.filter((c) => c.outcome === 'ok').length,
    no,
    bad: bad.length,
    unknown: load.commands.filter((c) => c.outcome === 'unknown').length,
    unknownBy,
    reconnections: load.resyncs.length,
    resyncMismatches: resyncMismatches.length,
    problems,
  };
}

/** The table of faults and outcomes, in Markdown. */
export function faultTable(rows: FaultOutcome[]): string {
  const head = [
    'fault',
    'acknowledged',
    'present',
    'duplicated',
    'lost',
    'commands OK',
    'NO (code)',
    'BAD',
    'no reply',
    'QRESYNC resyncs (wrong)',
  ];
  const body = rows.map((r) => [
    r.fault,
    String(r.acknowledged),
    String(r.present),
    String(r.duplicated),
    String(r.lost),
    String(r.ok),
    Object.entries(r.no)
      .map(([code, n]) => `${n} ${code}`)
      .join(', ') || '0',
    String(r.bad),
    String(r.unknown),
    `${r.reconnections} (${r.resyncMismatches})`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** What the "no reply" column counts, fault by fault. */
export function noReplyDetails(rows: FaultOutcome[]): string {
  return rows
    .filter((r) => r.unknown > 0)
    .map(
      (r) =>
        `${r.fault}: no reply ${Object.entries(r.unknownBy)
          .sort((a, b) => b[1] - a[1])
          .map(([why, n]) => `${n} ${why}`)
          .join(', ')}`,
    )
    .join('\n');
}
