// DELETE (RFC 9051 6.3.4). INBOX stays; deleting the selected mailbox deselects it.
import { AUTHENTICATED, defineCommand, ImapNo } from './command.js';
import { mailboxFromWire, parseMailboxArgument } from './names.js';

export const del = defineCommand({
  names: ['DELETE'],
  states: AUTHENTICATED,
  parse: parseMailboxArgument,
  async run(ctx, cmd) {
    const name = mailboxFromWire(ctx.session, cmd.args.mailbox);
    if (name === 'INBOX') throw new ImapNo('CANNOT', 'INBOX cannot be deleted');
    await ctx.backend.deleteMailbox(ctx.session.principal!, name);
    if (ctx.session.selected?.name === name) ctx.deselect();
    return { text: 'DELETE completed' };
  },
});
