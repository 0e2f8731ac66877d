// STORE: flag changes. Read, modify in code (flags compare case-insensitively),
// write back only the rows that change, all under one new MODSEQ.
import type { Queryable } from '@kimap/common';
import { notFound } from './errors.js';
import { cleanFlags, uidRangeCondition, type UidRange } from './messages.js';
import { recordChange } from './outbox.js';

export type StoreMode = 'replace' | 'add' | 'remove';

export interface StoredFlags {
  uid: number;
  modseq: number;
  flags: string[];
  /** Not changed because it was modified after UNCHANGEDSINCE. */
  modified: boolean;
}

export function applyFlagChange(current: string[], mode: StoreMode, change: string[]): string[] {
  const wanted = cleanFlags(change);
  if (mode === 'replace') return wanted;
  const lower = new Set(wanted.map((f) => f.toLowerCase()));
  if (mode === 'remove') return current.filter((f) => !lower.has(f.toLowerCase()));
  const have = new Set(current.map((f) => f.toLowerCase()));
  return [...current, ...wanted.filter((f) => !have.has(f.toLowerCase()))];
}

function sameFlags(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a.map((f) => f.toLowerCase()));
  return b.every((f) => s.has(f.toLowerCase()));
}

export async function storeFlags(
  tx: Queryable,
  accountId: number,
  mailboxId: number,
  ranges: UidRange[],
  mode: StoreMode,
  flags: string[],
  unchangedSince = 0,
): Promise<StoredFlags[]> {
  const mb = await tx.query<{ highestmodseq: number }>(
    'SELECT highestmodseq FROM mailboxes WHERE account_id = $1 AND mailbox_id = $2 FOR UPDATE',
    [accountId, mailboxId],
  );
  if (!mb.rows[0]) throw notFound('Mailbox no longer exists');
  const modseq = mb.rows[0].highestmodseq + 1;
  const cond = uidRangeCondition(ranges, 3);
  const { rows } = await tx.query<{ uid: number; modseq: number; flags: string[] }>(
    `SELECT uid, modseq, flags FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND ${cond.sql} ORDER BY uid`,
    [accountId, mailboxId, ...cond.params],
  );
  const out: StoredFlags[] = [];
  const changedUids: number[] = [];
  const changedFlags: string[] = [];
  for (const r of rows) {
    if (unchangedSince && r.modseq > unchangedSince) {
      out.push({ uid: r.uid, modseq: r.modseq, flags: r.flags, modified: true });
      continue;
    }
    const next = applyFlagChange(r.flags, mode, flags);
    if (sameFlags(next, r.flags)) {
      out.push({ uid: r.uid, modseq: r.modseq, flags: r.flags, modified: false });
      continue;
    }
    changedUids.push(r.uid);
    changedFlags.push(JSON.stringify(next));
    out.push({ uid: r.uid, modseq, flags: next, modified: false });
  }
  if (changedUids.length > 0) {
    await tx.query(
      `UPDATE messages m SET flags = ARRAY(SELECT jsonb_array_elements_text(c.f::jsonb)), modseq = $3
         FROM unnest($4::bigint[], $5::text[]) AS c(uid, f)
        WHERE m.account_id = $1 AND m.mailbox_id = $2 AND m.uid = c.uid`,
      [accountId, mailboxId, modseq, changedUids, changedFlags],
    );
    await tx.query('UPDATE mailboxes SET highestmodseq = $3 WHERE account_id = $1 AND mailbox_id = $2', [accountId, mailboxId, modseq]);
    await recordChange(tx, { accountId, mailboxId, modseq, kind: 'flags' });
  }
  return out;
}
