// STORE and UID STORE, with .SILENT and CONDSTORE's UNCHANGEDSINCE (RFC 7162).
import { formatUidSet, type CommandParser, type SequenceSet } from '../protocol/index.js';
import { defineCommand, ImapNo, SELECTED } from './command.js';
import { enableCondstore } from './condstore.js';
import { announceKeywords, checkFlags } from './flags.js';
import { resolveUids } from './sequence.js';

export type StoreAction = 'set' | 'add' | 'remove';

export interface StoreArgs {
  readonly uid: boolean;
  readonly sequenceSet: SequenceSet;
  /** FLAGS / +FLAGS / -FLAGS. */
  readonly action: StoreAction;
  /** `.SILENT`: do not send untagged FETCH for the change (except for UNCHANGEDSINCE conflicts). */
  readonly silent: boolean;
  readonly flags: string[];
  /** `(UNCHANGEDSINCE n)` modifier (CONDSTORE). */
  readonly unchangedSince?: bigint;
}

/**
 * `STORE SP sequence-set [SP store-modifiers] SP store-att-flags`,
 * store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag))).
 */
export function parseStore(p: CommandParser, name: string): StoreArgs {
  p.expectSP();
  const sequenceSet = p.expectSequenceSet();
  p.expectSP();
  let unchangedSince: bigint | undefined;
  if (p.peek() === 0x28 /* ( */) {
    p.expectList(
      (q) => {
        if (!q.tryKeyword('UNCHANGEDSINCE')) q.fail('Unsupported STORE modifier');
        q.expectSP();
        unchangedSince = q.expectNumber64();
      },
      { allowEmpty: false },
    );
    p.expectSP();
  }
  const action: StoreAction = p.tryChar('+') ? 'add' : p.tryChar('-') ? 'remove' : 'set';
  const item = p.expectAtom().toUpperCase();
  if (item !== 'FLAGS' && item !== 'FLAGS.SILENT') p.fail('Expected FLAGS, +FLAGS or -FLAGS');
  p.expectSP();
  let flags: string[];
  if (p.peek() === 0x28) {
    flags = p.expectFlagList();
  } else {
    flags = [p.expectFlag()];
    while (p.trySP()) flags.push(p.expectFlag());
  }
  p.expectEnd();
  const uid = name.startsWith('UID ');
  return { uid, sequenceSet, action, silent: item === 'FLAGS.SILENT', flags, ...(unchangedSince !== undefined && { unchangedSince }) };
}

export const store = defineCommand({
  names: ['STORE', 'UID STORE'],
  states: SELECTED,
  expungeAllowed: false,
  parse: parseStore,
  async run(ctx, cmd) {
    const { session, enc } = ctx;
    const mb = session.selected!;
    if (mb.readOnly) throw new ImapNo('READ-ONLY', 'Mailbox is read-only');
    checkFlags(cmd.args.flags);
    if (cmd.args.unchangedSince !== undefined) enableCondstore(ctx);
    const sel = resolveUids(mb, cmd.args.sequenceSet, cmd.args.uid, ctx.session.savedSearch);
    if (sel.ranges.length === 0) return { text: `${cmd.name} completed` };
    const mode = cmd.args.action === 'set' ? 'replace' : cmd.args.action;
    const unchangedSince = cmd.args.unchangedSince !== undefined ? Number(cmd.args.unchangedSince) : undefined;
    const rows = await ctx.backend.store(session.principal!, {
      owner: mb.owner,
      mailboxId: mb.mailboxId,
      uids: sel.ranges,
      mode,
      flags: cmd.args.flags,
      ...(unchangedSince !== undefined ? { unchangedSince } : {}),
    });
    const modified: number[] = [];
    const withModseq = session.condstore;
    // A keyword new to the mailbox: FLAGS and PERMANENTFLAGS first, also under .SILENT.
    announceKeywords(
      enc,
      mb,
      rows.map((r) => r.flags),
    );
    for (const r of rows) {
      const seq = mb.seqOf(r.uid);
      if (!seq) continue;
      if (r.modified) {
        modified.push(cmd.args.uid ? r.uid : seq);
        continue;
      }
      // .SILENT drops the FLAGS, but a CONDSTORE client still learns the new MODSEQ (RFC 7162 3.1.3).
      if (cmd.args.silent && !withModseq) continue;
      enc.untagged().number(seq).raw(' FETCH (');
      // QRESYNC clients get the UID in every FETCH (RFC 7162 3.2.4).
      if (cmd.args.uid || session.qresync) enc.raw('UID ').number(r.uid).sp();
      if (!cmd.args.silent) enc.raw('FLAGS ').flags(mb.flagsOf(r.uid, r.flags));
      if (withModseq)
        enc
          .raw(cmd.args.silent ? 'MODSEQ (' : ' MODSEQ (')
          .number(r.modseq)
          .raw(')');
      enc.raw(')').crlf();
    }
    mb.noteOwnChange(rows);
    // The MODSEQ of this change is above every other one the rows carry.
    const changed = rows.filter((r) => !r.modified && r.modseq > mb.highestModseq);
    if (changed.length) {
      const modseq = changed.reduce((m, r) => Math.max(m, r.modseq), 0);
      mb.ownChange({ status: { highestmodseq: modseq, uidnext: mb.uidnext }, changed, expunged: [] });
      // The edge's view takes the flags as stored (another account's mailbox: as this reader sees them).
      ctx.views?.ownWrite(ctx.session.principal!, mb, { highestmodseq: modseq, changed, expunged: [] });
    }
    if (modified.length) return { code: `MODIFIED ${formatUidSet(modified.sort((a, b) => a - b))}`, text: 'Conditional STORE failed' };
    return { text: `${cmd.name} completed` };
  },
});
