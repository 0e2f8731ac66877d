import type { GetChangesRequest__Output } from '@kimap/common/generated/mail/v1/GetChangesRequest';
import type { ChangesResponse } from '@kimap/common/generated/mail/v1/ChangesResponse';
import type { Queryable } from '@kimap/common';
import type { MailboxContext } from '../context.js';
import { notFound } from '../store/errors.js';
import { accountOf, serverStream } from './handler.js';

type ChangedJson = Array<{ uid: number; modseq: number; flags: string[] }>;

interface ChangesRow {
  mailbox_id: number;
  name: string;
  special_use: string | null;
  uidvalidity: number;
  uidnext: number;
  highestmodseq: number;
  expunged_floor_modseq: number;
  changed: ChangedJson | string | null;
  expunged: number[] | null;
}

/**
 * The hot path of every woken session: one statement (one snapshot, one
 * round trip) reads the mailbox row, the messages changed after the MODSEQ
 * and the UIDs expunged after it. Message counts are not computed here.
 *
 * Each side is read in MODSEQ order with a limit, so that the (account,
 * mailbox, modseq) indexes are the plan whatever the statistics say (stale
 * ones, after a big import, can make "modseq > n" look unselective and the
 * planner walk the whole mailbox). A side that reaches the limit is read
 * again without one ($4 NULL): that many changes are worth a walk.
 */
const CHANGES_SQL = `
  SELECT b.mailbox_id, b.name, b.special_use, b.uidvalidity, b.uidnext, b.highestmodseq, b.expunged_floor_modseq,
         (SELECT json_agg(json_build_object('uid', c.uid, 'modseq', c.modseq, 'flags', c.flags) ORDER BY c.uid)
            FROM (SELECT m.uid, m.modseq, m.flags FROM messages m
                   WHERE m.account_id = b.account_id AND m.mailbox_id = b.mailbox_id AND m.modseq > $3
                   ORDER BY m.modseq LIMIT $4) c) AS changed,
         (SELECT array_agg(x.uid ORDER BY x.uid)
            FROM (SELECT e.uid FROM expunged e
                   WHERE e.account_id = b.account_id AND e.mailbox_id = b.mailbox_id AND e.modseq > $3
                   ORDER BY e.modseq LIMIT $4) x) AS expunged
    FROM mailboxes b WHERE b.account_id = $1 AND b.mailbox_id = $2`;

const CHANGES_PAGE = 20_000;

/** Changes read with the limit first; more than it: read again without one. */
const CHANGES_LIMIT = 50_000;

export interface ChangesRead {
  row: Omit<ChangesRow, 'changed' | 'expunged'>;
  changed: ChangedJson;
  expunged: number[];
}

/** The mailbox row and what changed after `since` (undefined: no such mailbox). */
export async function readChanges(db: Queryable, accountId: number, mailboxId: number, since: number, limit = CHANGES_LIMIT): Promise<ChangesRead | undefined> {
  let bound: number | null = limit;
  for (;;) {
    const { rows } = await db.query<ChangesRow>(CHANGES_SQL, [accountId, mailboxId, since, bound]);
    const r = rows[0];
    if (!r) return undefined;
    const changed = (typeof r.changed === 'string' ? (JSON.parse(r.changed) as ChangedJson) : r.changed) ?? [];
    const expunged = (r.expunged ?? []).map(Number);
    if (bound !== null && (changed.length >= bound || expunged.length >= bound)) {
      bound = null;
      continue;
    }
    const { changed: _c, expunged: _e, ...row } = r;
    return { row, changed, expunged };
  }
}

export const GetChanges = (ctx: MailboxContext) =>
  serverStream<GetChangesRequest__Output, ChangesResponse>(ctx.log, 'GetChanges', async function* (req) {
    const accountId = accountOf(req);
    const read = await readChanges(ctx.db, accountId, req.mailboxId, req.sinceModseq);
    if (!read) throw notFound('Mailbox no longer exists');
    const { row: r, changed, expunged } = read;
    const status = {
        mailboxId: r.mailbox_id,
        name: r.name,
        uidvalidity: r.uidvalidity,
        uidnext: r.uidnext,
        highestmodseq: r.highestmodseq,
        specialUse: r.special_use ?? '',
        expungedFloorModseq: r.expunged_floor_modseq,
    };
    // Usually one stream message; a long history is sent in pages.
    for (let i = 0; i === 0 || i < changed.length; i += CHANGES_PAGE) {
      yield {
        ...(i === 0 ? { status } : {}),
        changed: changed.slice(i, i + CHANGES_PAGE).map((m) => ({ uid: Number(m.uid), modseq: Number(m.modseq), flags: m.flags })),
        expunged: i === 0 ? expunged : [],
      };
    }
  });
