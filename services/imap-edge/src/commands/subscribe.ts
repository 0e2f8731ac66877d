// SUBSCRIBE and UNSUBSCRIBE (RFC 9051 6.3.7, 6.3.8).
import { AUTHENTICATED, defineCommand } from './command.js';
import { mailboxFromWire, parseMailboxArgument } from './names.js';

export const subscribe = defineCommand({
  names: ['SUBSCRIBE', 'UNSUBSCRIBE'],
  states: AUTHENTICATED,
  parse: parseMailboxArgument,
  async run(ctx, cmd) {
    const name = mailboxFromWire(ctx.session, cmd.args.mailbox);
    await ctx.backend.setSubscribed(ctx.session.principal!, name, cmd.name === 'SUBSCRIBE');
    return { text: `${cmd.name} completed` };
  },
});
