// SUBSCRIBE and UNSUBSCRIBE (RFC 9051 6.3.7, 6.3.8), of one's own mailboxes
// and of those shared with one (RFC 4314: the l right).
import { AUTHENTICATED, defineCommand } from './command.js';
import { parseMailboxArgument, targetFromWire } from './names.js';

export const subscribe = defineCommand({
  names: ['SUBSCRIBE', 'UNSUBSCRIBE'],
  states: AUTHENTICATED,
  parse: parseMailboxArgument,
  async run(ctx, cmd) {
    // A name in the shared namespace subscribes to another account's mailbox.
    const target = targetFromWire(ctx.session, cmd.args.mailbox);
    await ctx.backend.setSubscribed(ctx.session.principal!, target, cmd.name === 'SUBSCRIBE');
    return { text: `${cmd.name} completed` };
  },
});
