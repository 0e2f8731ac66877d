import type { GetChangesRequest__Output } from '@kimap/common/generated/mail/v1/GetChangesRequest';
import type { ChangesResponse } from '@kimap/common/generated/mail/v1/ChangesResponse';
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
 */
const CHANGES_SQL = `
  SELECT b.mailbox_id, b.name, b.special_use, b.uidvalidity, b.uidnext, b.highestmodseq, b.expunged_floor_modseq,
         (SELECT json_agg(json_build_object('uid', m.uid, 'modseq', m.modseq, 'flags', m.flags) ORDER BY m.uid)
            FROM messages m WHERE m.account_id = b.account_id AND m.mailbox_id = b.mailbox_id AND m.modseq > $3) AS changed,
         (SELECT array_agg(e.uid ORDER BY e.uid)
            FROM expunged e WHERE e.account_id = b.account_id AND e.mailbox_id = b.mailbox_id AND e.modseq > $3) AS expunged
    FROM mailboxes b WHERE b.account_id = $1 AND b.mailbox_id = $2`;

const CHANGES_PAGE = 20_000;

export const GetChanges = (ctx: MailboxContext) =>
  serverStream<GetChangesRequest__Output, ChangesResponse>(ctx.log, 'GetChanges', async function* (req) {
    const accountId = accountOf(req);
    const { rows } = await ctx.db.query<ChangesRow>(CHANGES_SQL, [accountId, req.mailboxId, req.sinceModseq]);
    const r = rows[0];
    if (!r) throw notFound('Mailbox no longer exists');
    const status = {
        mailboxId: r.mailbox_id,
        name: r.name,
        uidvalidity: r.uidvalidity,
        uidnext: r.uidnext,
        highestmodseq: r.highestmodseq,
        specialUse: r.special_use ?? '',
        expungedFloorModseq: r.expunged_floor_modseq,
    };
    const changed = (typeof r.changed === 'string' ? (JSON.parse(r.changed) as ChangedJson) : r.changed) ?? [];
    const expunged = (r.expunged ?? []).map(Number);
    // Usually one stream message; a long history is sent in pages.
    for (let i = 0; i === 0 || i < changed.length; i += CHANGES_PAGE) {
      yield {
        ...(i === 0 ? { status } : {}),
        changed: changed.slice(i, i + CHANGES_PAGE).map((m) => ({ uid: Number(m.uid), modseq: Number(m.modseq), flags: m.flags })),
        expunged: i === 0 ? expunged : [],
      };
    }
  });
