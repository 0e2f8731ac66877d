// What changed in a mailbox after a MODSEQ, as GetChanges carries it: the
// mailbox now, the new and re-flagged messages, the expunged UIDs.
import type { Queryable } from '@kimap/common';
import type { ChangedMessage__Output } from '@kimap/common/generated/mail/v1/ChangedMessage';
import type { MailboxStatus__Output } from '@kimap/common/generated/mail/v1/MailboxStatus';
import { granteeAccessSql, type AccessRow } from './acl.js';
import { claimColumn, claimedRange, readerFlags } from './sql.js';

/** The mailbox's UIDs, MODSEQs and message count (ChangesResponse.status: the other counts are not filled in). */
export type ChangesStatus = Omit<MailboxStatus__Output, 'unseen' | 'deleted' | 'size' | 'keywords'>;

export interface ChangesRead {
  status: ChangesStatus;
  /** New or flag-changed, ascending UID. */
  changed: ChangedMessage__Output[];
  /** Expunged after the MODSEQ, ascending. */
  expunged: number[];
}

interface ChangesRow extends ChangesStatus {
  changed: ChangedMessage__Output[] | string | null;
  expunged: number[] | null;
  claimed: number[] | null;
}

/**
 * The hot path of every woken session: one statement (one snapshot, one
 * round trip) reads the mailbox row, the messages changed after the MODSEQ
 * and the UIDs expunged after it. Of the counts only the message count is
 * there (the mailbox row keeps it; an edge checks its view against it).
 *
 * Each side is read in MODSEQ order with a limit, so that the (account,
 * mailbox, modseq) indexes are the plan whatever the statistics say (stale
 * ones, after a big import, can make "modseq > n" look unselective and the
 * planner walk the whole mailbox). A side that reaches the limit is read
 * again without one ($4 NULL): that many changes are worth a walk.
 *
 * With $5 true (a read-write IMAP4rev1 session) the same statement claims the
 * UIDs no session has claimed as recent, when there are any.
 */
const changesColumns = (flags: string, since: string, bound: string, claim: string) => `
         b.mailbox_id AS "mailboxId", b.name, coalesce(b.special_use, '') AS "specialUse", b.uidvalidity, b.uidnext, b.highestmodseq, b.messages,
         b.expunged_floor_modseq AS "expungedFloorModseq", b.first_recent_uid AS "firstRecentUid", ${claimColumn(claim, 'b')},
         (SELECT json_agg(json_build_object('uid', c.uid, 'modseq', c.modseq, 'flags', c.flags, 'size', c.size,
                                            'internalDateMs', c.date) ORDER BY c.uid)
            FROM (SELECT m.uid, m.modseq, ${flags} AS flags, m.size,
                         round(date_part('epoch', date_trunc('milliseconds', m.internal_date)) * 1000)::int8 AS date
                    FROM messages m
                   WHERE m.account_id = b.account_id AND m.mailbox_id = b.mailbox_id AND m.modseq > ${since}
                   ORDER BY m.modseq LIMIT ${bound}) c) AS changed,
         (SELECT array_agg(x.uid ORDER BY x.uid)
            FROM (SELECT e.uid FROM expunged e
                   WHERE e.account_id = b.account_id AND e.mailbox_id = b.mailbox_id AND e.modseq > ${since}
                   ORDER BY e.modseq LIMIT ${bound}) x) AS expunged`;

const CHANGES_SQL = `SELECT ${changesColumns('m.flags', '$3', '$4', '$5')}
    FROM mailboxes b WHERE b.account_id = $1 AND b.mailbox_id = $2`;

/**
 * A grantee's pull ($1 the grantee, $2 the owner's name, $3 the mailbox):
 * the grantee's rights on the mailbox are read by the same statement
 * (granteeAccessSql), its own \Seen in the flags, and the recent claim ($6)
 * made only when those rights let it read and change the mailbox. The caller
 * checks the rights before using anything else of the row.
 */
const GRANTEE_CHANGES_SQL = `
  WITH acc AS (${granteeAccessSql('$1', '$2', '$3')})
  SELECT acc.owner_id AS "ownerId", acc.rights AS "accessRights",
         ${changesColumns(readerFlags('$1'), '$4', '$5', "($6::boolean AND acc.rights ~ '[iestw]' AND strpos(acc.rights, 'r') > 0)")}
    FROM acc LEFT JOIN mailboxes b ON b.account_id = acc.owner_id AND b.mailbox_id = $3`;

/** Changes read with the limit first; more than it: read again without one. */
const CHANGES_LIMIT = 50_000;

/**
 * The mailbox and what changed after `since` (undefined: no such mailbox),
 * with the flags as `grantee.reader` sees them when it is not the owner (its
 * rights checked by `grantee.check` on the same row); with `claimRecent`,
 * the recent claim of the session (status.claimedFirst/Last).
 */
export async function readChanges(
  db: Queryable,
  accountId: number,
  mailboxId: number,
  since: number,
  limit = CHANGES_LIMIT,
  grantee?: { reader: number; owner: string; check(access: AccessRow | undefined): void },
  claimRecent = false,
): Promise<ChangesRead | undefined> {
  let bound: number | null = limit;
  let claim: ReturnType<typeof claimedRange> = { claimedFirst: 0, claimedLast: 0 };
  for (;;) {
    // A second read (no limit) claims nothing more: the first one's claim stands.
    const claiming = claimRecent && !claim.claimedFirst && bound !== null;
    const { rows } = await db.query<ChangesRow & { ownerId?: number; accessRights?: string | null }>(
      grantee ? GRANTEE_CHANGES_SQL : CHANGES_SQL,
      grantee ? [grantee.reader, grantee.owner, mailboxId, since, bound, claiming] : [accountId, mailboxId, since, bound, claiming],
    );
    const r = rows[0];
    // A grantee's rights first: nothing else of the row is used without them.
    if (grantee) grantee.check(r && { ownerId: r.ownerId!, mailboxId: r.mailboxId, rights: r.accessRights ?? null });
    if (!r) return undefined;
    const changed = (typeof r.changed === 'string' ? (JSON.parse(r.changed) as ChangedMessage__Output[]) : r.changed) ?? [];
    const expunged = (r.expunged ?? []).map(Number);
    if (claiming) claim = claimedRange(r.claimed);
    if (bound !== null && (changed.length >= bound || expunged.length >= bound)) {
      bound = null;
      continue;
    }
    const { changed: _c, expunged: _e, claimed: _claimed, ownerId: _o, accessRights: _r, ...status } = r;
    return { status: { ...status, ...claim }, changed, expunged };
  }
}
