// SELECT and EXAMINE, with CONDSTORE and QRESYNC parameters (RFC 7162).
import { MAILBOX_DELIMITER } from '@kimap/common';
import type { Changes } from '../backend.js';
import type { CommandParser, SequenceSet } from '../protocol/index.js';
import { SelectedMailbox } from '../selected.js';
import { AUTHENTICATED, defineCommand, ImapBad } from './command.js';
import type { CommandContext } from './context.js';
import { announceKeywords, writeMailboxFlags } from './flags.js';
import { mailboxToWire, nameOf, targetFromWire } from './names.js';
import { RIGHTS } from './acl-rights.js';

export interface QresyncParams {
  readonly uidValidity: number;
  readonly modSeq: bigint;
  /** UIDs the client knows about (no `*`). */
  readonly knownUids?: SequenceSet;
  /** Message sequence numbers and corresponding UIDs, for faster resync. */
  readonly seqMatch?: { readonly seqs: SequenceSet; readonly uids: SequenceSet };
}

export interface SelectArgs {
  readonly mailbox: string;
  /** True for EXAMINE. */
  readonly readOnly: boolean;
  /** `(CONDSTORE)` given (RFC 7162 §3.1.8). */
  readonly condstore: boolean;
  readonly qresync?: QresyncParams;
}

/** `SELECT/EXAMINE SP mailbox [SP "(" select-param *(SP select-param) ")"]`. */
export function parseSelect(p: CommandParser, name: string): SelectArgs {
  const readOnly = name === 'EXAMINE';
  p.expectSP();
  const mailbox = p.expectMailbox();
  let condstore = false;
  let qresync: QresyncParams | undefined;
  if (p.trySP()) {
    p.expectList(
      (q) => {
        const param = q.expectAtom().toUpperCase();
        if (param === 'CONDSTORE') condstore = true;
        else if (param === 'QRESYNC') {
          if (qresync) q.fail('Duplicate QRESYNC parameter');
          q.expectSP();
          qresync = parseQresync(q);
        } else q.fail(`Unsupported SELECT parameter ${param.slice(0, 40)}`);
      },
      { allowEmpty: false },
    );
  }
  p.expectEnd();
  return { mailbox, readOnly, condstore, ...(qresync && { qresync }) };
}

/** `"(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"` (RFC 7162 §3.2.5). */
function parseQresync(p: CommandParser): QresyncParams {
  p.expectChar('(');
  const uidValidity = p.expectNzNumber();
  p.expectSP();
  const modSeq = p.expectNumber64();
  let knownUids: SequenceSet | undefined;
  let seqMatch: QresyncParams['seqMatch'];
  if (p.trySP()) {
    if (p.peek() !== 0x28 /* ( */) {
      knownUids = noStar(p, p.expectSequenceSet());
      if (p.trySP()) seqMatch = parseSeqMatch(p);
    } else {
      seqMatch = parseSeqMatch(p);
    }
  }
  p.expectChar(')');
  return { uidValidity, modSeq, ...(knownUids && { knownUids }), ...(seqMatch && { seqMatch }) };
}

/** `seq-match-data = "(" known-sequence-set SP known-uid-set ")"`. */
function parseSeqMatch(p: CommandParser): NonNullable<QresyncParams['seqMatch']> {
  p.expectChar('(');
  const seqs = noStar(p, p.expectSequenceSet());
  p.expectSP();
  const uids = noStar(p, p.expectSequenceSet());
  p.expectChar(')');
  return { seqs, uids };
}

function noStar(p: CommandParser, set: SequenceSet): SequenceSet {
  if (set.hasStar || set.searchResult) p.fail('"*" and "$" are not allowed in QRESYNC parameters');
  return set;
}

export const select = defineCommand({
  names: ['SELECT', 'EXAMINE'],
  states: AUTHENTICATED,
  parse: parseSelect,
  async run(ctx, cmd) {
    const { session, enc } = ctx;
    const { qresync, condstore } = cmd.args;
    if (qresync && !session.qresync) throw new ImapBad('QRESYNC must be enabled first');
    const rev2 = session.enabled.has('IMAP4REV2');
    // Leaving a mailbox: clients that know CLOSED (IMAP4rev2, QRESYNC) are told
    // where the old mailbox's responses end (RFC 9051 7.1).
    if (session.selected && (rev2 || session.qresync)) enc.status(null, 'OK', 'Previous mailbox closed', 'CLOSED');
    // A failed SELECT leaves no mailbox selected (RFC 9051 6.3.2).
    ctx.deselect();
    if (condstore) session.enabled.add('CONDSTORE');
    const target = targetFromWire(session, cmd.args.mailbox);
    // A read-write IMAP4rev1 SELECT claims the messages no session has seen as \Recent;
    // IMAP4rev1 also names the first unseen message (RFC 3501 7.1, dropped by RFC 9051).
    const { status, uids } = await ctx.backend.select(session.principal!, target, {
      claimRecent: !rev2 && !cmd.args.readOnly,
      firstUnseen: !rev2,
    });
    // Another account's mailbox: what the rights allow (RFC 4314 5.1.1, 5.2): READ-ONLY
    // without any of i, e, s, w, t; PERMANENTFLAGS only the flags they let the session set.
    const rights = target.owner ? status.rights : RIGHTS;
    const readOnly = cmd.args.readOnly || !/[iestw]/.test(rights);
    const mb = new SelectedMailbox(status.mailboxId, status.name, status.uidvalidity, uids, status.highestmodseq, status.uidnext, readOnly);
    mb.owner = target.owner;
    mb.rights = rights;
    mb.recentMode = rev2 ? 'off' : readOnly ? 'see' : 'claim';
    mb.noteRecent(status, 0);
    mb.learnKeywords(status.keywords);
    writeMailboxFlags(enc, mb);
    enc.untagged().number(mb.exists).raw(' EXISTS').crlf();
    if (rev2) {
      const specialUse = target.owner ? '' : status.specialUse;
      const wire = mailboxToWire(session, nameOf({ owner: target.owner, name: status.name }));
      enc.untagged().raw(`LIST (${specialUse}) `).quoted(MAILBOX_DELIMITER).sp().astring(wire).crlf();
    } else {
      mb.reportedRecent = mb.recentCount;
      enc.untagged().number(mb.reportedRecent).raw(' RECENT').crlf();
      // The UID maps to its number in this session's view; none when every message is seen.
      const unseen = status.firstUnseenUid ? mb.seqOf(status.firstUnseenUid) : undefined;
      if (unseen) enc.status(null, 'OK', 'First unseen', `UNSEEN ${unseen}`);
    }
    enc.status(null, 'OK', 'UIDs valid', `UIDVALIDITY ${mb.uidvalidity}`);
    enc.status(null, 'OK', 'Predicted next UID', `UIDNEXT ${mb.uidnext}`);
    enc.status(null, 'OK', 'Highest', `HIGHESTMODSEQ ${mb.highestModseq}`);
    if (qresync && qresync.uidValidity === status.uidvalidity) await resync(ctx, mb, qresync);
    session.selected = mb;
    session.state = 'selected';
    session.dirty = false;
    session.lastSync = Date.now();
    return { code: readOnly ? 'READ-ONLY' : 'READ-WRITE', text: `${cmd.name} completed` };
  },
});

/**
 * QRESYNC (RFC 7162 3.2.5): what vanished and what changed since the
 * client's MODSEQ, as VANISHED (EARLIER) and FETCH responses.
 */
async function resync(ctx: CommandContext, mb: SelectedMailbox, q: QresyncParams): Promise<void> {
  const since = Number(q.modSeq);
  const changes = await ctx.backend.changes(ctx.session.principal!, mb, since);
  writeVanishedEarlier(ctx, mb, changes, since, q.knownUids);
  announceKeywords(
    ctx.enc,
    mb,
    changes.changed.map((m) => m.flags),
  );
  for (const m of changes.changed) {
    const seq = mb.seqOf(m.uid);
    if (!seq) continue;
    ctx.enc
      .untagged()
      .number(seq)
      .raw(' FETCH (UID ')
      .number(m.uid)
      .raw(' FLAGS ')
      .flags(mb.flagsOf(m.uid, m.flags))
      .raw(' MODSEQ (')
      .number(m.modseq)
      .raw('))')
      .crlf();
  }
}

type Range = [number, number];

/** UID ranges below UIDNEXT that hold no message of the view. */
function gaps(mb: SelectedMailbox): Range[] {
  const out: Range[] = [];
  let next = 1;
  for (let seq = 1; seq <= mb.exists; seq++) {
    const uid = mb.uidAt(seq)!;
    if (uid > next) out.push([next, uid - 1]);
    next = uid + 1;
  }
  if (next <= mb.uidnext - 1) out.push([next, mb.uidnext - 1]);
  return out;
}

function intersect(a: Range[], b: readonly (readonly [number, number])[]): Range[] {
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

const formatRanges = (ranges: Range[]): string => ranges.map(([a, b]) => (a === b ? String(a) : `${a}:${b}`)).join(',');

/**
 * `* VANISHED (EARLIER) uids`: the UIDs expunged after `since`. When the
 * tombstones of that time are already purged, every UID below UIDNEXT that
 * is not in the mailbox is named instead (a superset: the client ignores the
 * ones it never knew). UIDs still in this session's view are never named:
 * their expunge reaches the session through the next sync.
 */
export function writeVanishedEarlier(ctx: CommandContext, mb: SelectedMailbox, changes: Changes, since: number, known?: SequenceSet): void {
  let ranges: Range[];
  if (since < changes.status.expungedFloorModseq) {
    ranges = gaps(mb);
  } else {
    ranges = changes.expunged
      .filter((u) => mb.seqOf(u) === 0)
      .sort((a, b) => a - b)
      .map((u) => [u, u] as Range);
  }
  if (known) ranges = intersect(ranges, known.resolve(Math.max(mb.uidnext, 1)));
  if (ranges.length)
    ctx.enc
      .untagged()
      .raw('VANISHED (EARLIER) ' + formatRanges(ranges))
      .crlf();
}
