// MYRIGHTS (RFC 4314 3.5): any right that reveals the mailbox is enough.
import { formatRights } from './acl-rights.js';
import { AUTHENTICATED, defineCommand, ImapNo } from './command.js';
import { mailboxToWire, nameOf, parseMailboxArgument, targetFromWire } from './names.js';

export const myrights = defineCommand({
  names: ['MYRIGHTS'],
  states: AUTHENTICATED,
  parse: parseMailboxArgument,
  async run(ctx, cmd) {
    const target = targetFromWire(ctx.session, cmd.args.mailbox);
    if (!target.name) throw new ImapNo('NONEXISTENT', 'Mailbox does not exist');
    const acl = await ctx.backend.getAcl(ctx.session.principal!, target, false);
    ctx.enc
      .untagged()
      .raw('MYRIGHTS ')
      .astring(mailboxToWire(ctx.session, nameOf(target)))
      .sp()
      .astring(formatRights(acl.myRights))
      .crlf();
    return { text: 'MYRIGHTS completed' };
  },
});
