// DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE.
import { AUTHENTICATED, ImapNo, type CommandHandler } from './context.js';
import { mailboxFromWire } from './names.js';

export const del: CommandHandler<'DELETE'> = {
  names: ['DELETE'],
  states: AUTHENTICATED,
  async run(ctx, cmd) {
    const name = mailboxFromWire(ctx.session, cmd.args.mailbox);
    if (name === 'INBOX') throw new ImapNo('CANNOT', 'INBOX cannot be deleted');
    await ctx.backend.deleteMailbox(ctx.session.principal!, name);
    if (ctx.session.selected?.name === name) ctx.deselect();
    return { text: 'DELETE completed' };
  },
};

export const rename: CommandHandler<'RENAME'> = {
  names: ['RENAME'],
  states: AUTHENTICATED,
  async run(ctx, cmd) {
    const from = mailboxFromWire(ctx.session, cmd.args.from);
    const to = mailboxFromWire(ctx.session, cmd.args.to.replace(/\/$/, ''));
    await ctx.backend.renameMailbox(ctx.session.principal!, from, to);
    return { text: 'RENAME completed' };
  },
};

export const subscribe: CommandHandler<'SUBSCRIBE' | 'UNSUBSCRIBE'> = {
  names: ['SUBSCRIBE', 'UNSUBSCRIBE'],
  states: AUTHENTICATED,
  async run(ctx, cmd) {
    const name = mailboxFromWire(ctx.session, cmd.args.mailbox);
    await ctx.backend.setSubscribed(ctx.session.principal!, name, cmd.name === 'SUBSCRIBE');
    return { text: `${cmd.name} completed` };
  },
};
