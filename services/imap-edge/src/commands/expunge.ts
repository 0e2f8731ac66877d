// EXPUNGE and UID EXPUNGE (RFC 4315): the untagged EXPUNGEs come from the
// sync before the tagged OK, like every other change.
import type { CommandParser, SequenceSet } from '../protocol/index.js';
import { defineCommand, ImapNo, SELECTED } from './command.js';
import { resolveUids } from './sequence.js';

export interface ExpungeArgs {
  /** UID EXPUNGE's UIDs; absent for EXPUNGE. */
  readonly sequenceSet?: SequenceSet;
}

/** `EXPUNGE`, or `UID EXPUNGE SP sequence-set` (RFC 4315 / RFC 9051). */
export function parseExpunge(p: CommandParser, name: string): ExpungeArgs {
  if (name !== 'UID EXPUNGE') {
    p.expectEnd();
    return {};
  }
  p.expectSP();
  const sequenceSet = p.expectSequenceSet();
  p.expectEnd();
  return { sequenceSet };
}

export const expunge = defineCommand({
  names: ['EXPUNGE', 'UID EXPUNGE'],
  states: SELECTED,
  capabilities: ['UIDPLUS'],
  parse: parseExpunge,
  async run(ctx, cmd) {
    const mb = ctx.session.selected!;
    if (mb.readOnly) throw new ImapNo('READ-ONLY', 'Mailbox is read-only');
    let ranges: Array<{ first: number; last: number }> = [];
    if (cmd.args.sequenceSet) {
      ranges = resolveUids(mb, cmd.args.sequenceSet, true, ctx.session.savedSearch).ranges;
      if (ranges.length === 0) return { text: 'UID EXPUNGE completed' };
    }
    const res = await ctx.backend.expunge(ctx.session.principal!, mb, ranges);
    if (res.uids.length) {
      mb.ownChange({ status: { highestmodseq: res.highestmodseq, uidnext: mb.uidnext }, changed: [], expunged: res.uids });
      ctx.views?.ownWrite(ctx.session.principal!, mb, { highestmodseq: res.highestmodseq, changed: [], expunged: res.uids });
    }
    await ctx.sync({ allowExpunge: true });
    return { text: `${cmd.name} completed` };
  },
});
