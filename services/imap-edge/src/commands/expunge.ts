// EXPUNGE and UID EXPUNGE (RFC 4315): the untagged EXPUNGEs come from the
// sync before the tagged OK, like every other change.
import { ImapNo, SELECTED, type CommandHandler } from './context.js';
import { resolveUids } from './sequence.js';

export const expunge: CommandHandler<'EXPUNGE' | 'UID EXPUNGE'> = {
  names: ['EXPUNGE', 'UID EXPUNGE'],
  states: SELECTED,
  async run(ctx, cmd) {
    const mb = ctx.session.selected!;
    if (mb.readOnly) throw new ImapNo('READ-ONLY', 'Mailbox is read-only');
    let ranges: Array<{ first: number; last: number }> = [];
    if (cmd.name === 'UID EXPUNGE') {
      ranges = resolveUids(mb, cmd.args.sequenceSet, true, ctx.session.savedSearch).ranges;
      if (ranges.length === 0) return { text: 'UID EXPUNGE completed' };
    }
    const res = await ctx.backend.expunge(ctx.session.principal!, mb.mailboxId, ranges);
    if (res.uids.length) mb.ownChange({ status: { highestmodseq: res.highestmodseq, uidnext: mb.uidnext }, changed: [], expunged: res.uids });
    await ctx.sync({ allowExpunge: true });
    return { text: `${cmd.name} completed` };
  },
};
