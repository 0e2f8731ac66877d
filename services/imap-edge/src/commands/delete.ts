// DELETE (RFC 9051 6.3.4). INBOX stays; deleting the selected mailbox deselects it.
import { AUTHENTICATED, defineCommand, ImapNo } from './command.js';
import { parseMailboxArgument, targetFromWire } from './names.js';

export const del = defineCommand({
  names: ['DELETE'],
  states: AUTHENTICATED,
  parse: parseMailboxArgument,
  async run(ctx, cmd) {
    const target = targetFromWire(ctx.session, cmd.args.mailbox);
    if (target.name === 'INBOX') throw new ImapNo('CANNOT', 'INBOX cannot be deleted');
    await ctx.backend.deleteMailbox(ctx.session.principal!, target);
    const selected = ctx.session.selected;
    if (selected?.owner === target.owner && selected.name === target.name) ctx.deselect();
    return { text: 'DELETE completed' };
  },
});
