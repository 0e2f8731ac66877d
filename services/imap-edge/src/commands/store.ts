// STORE and UID STORE, with .SILENT and CONDSTORE's UNCHANGEDSINCE (RFC 7162).
import { formatUidSet } from '../protocol/index.js';
import { ImapNo, SELECTED, type CommandHandler } from './context.js';
import { resolveUids } from './sequence.js';
import { checkFlags } from './flags.js';

export const store: CommandHandler<'STORE' | 'UID STORE'> = {
  names: ['STORE', 'UID STORE'],
  states: SELECTED,
  expungeAllowed: false,
  async run(ctx, cmd) {
    const { session, enc } = ctx;
    const mb = session.selected!;
    if (mb.readOnly) throw new ImapNo('READ-ONLY', 'Mailbox is read-only');
    checkFlags(cmd.args.flags);
    const sel = resolveUids(mb, cmd.args.sequenceSet, cmd.args.uid, ctx.session.savedSearch);
    if (sel.ranges.length === 0) return { text: `${cmd.name} completed` };
    const mode = cmd.args.action === 'set' ? 'replace' : cmd.args.action;
    const unchangedSince = cmd.args.unchangedSince !== undefined ? Number(cmd.args.unchangedSince) : undefined;
    const rows = await ctx.backend.store(session.principal!, {
      mailboxId: mb.mailboxId,
      uids: sel.ranges,
      mode,
      flags: cmd.args.flags,
      ...(unchangedSince !== undefined ? { unchangedSince } : {}),
    });
    const modified: number[] = [];
    if (unchangedSince !== undefined) session.enabled.add('CONDSTORE');
    const withModseq = session.condstore;
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
      if (!cmd.args.silent) enc.raw('FLAGS ').flags(r.flags);
      if (withModseq) enc.raw(cmd.args.silent ? 'MODSEQ (' : ' MODSEQ (').number(r.modseq).raw(')');
      enc.raw(')').crlf();
    }
    mb.noteOwnChange(rows);
    // The MODSEQ of this change is above every other one the rows carry.
    const changed = rows.filter((r) => !r.modified && r.modseq > mb.highestModseq);
    if (changed.length) {
      const modseq = changed.reduce((m, r) => Math.max(m, r.modseq), 0);
      mb.ownChange({ status: { highestmodseq: modseq, uidnext: mb.uidnext }, changed, expunged: [] });
    }
    if (modified.length) return { code: `MODIFIED ${formatUidSet(modified.sort((a, b) => a - b))}`, text: 'Conditional STORE failed' };
    return { text: `${cmd.name} completed` };
  },
};
