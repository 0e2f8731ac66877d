// GETACL (RFC 4314 3.3): the a right on the mailbox is needed. The owner is
// listed first, with every right.
import { formatRights } from './acl-rights.js';
import { AUTHENTICATED, defineCommand, ImapNo } from './command.js';
import { mailboxToWire, nameOf, parseMailboxArgument, targetFromWire } from './names.js';

export const getacl = defineCommand({
  names: ['GETACL'],
  states: AUTHENTICATED,
  capabilities: ['ACL', 'RIGHTS=texk'],
  parse: parseMailboxArgument,
  async run(ctx, cmd) {
    const target = targetFromWire(ctx.session, cmd.args.mailbox);
    if (!target.name) throw new ImapNo('NONEXISTENT', 'Mailbox does not exist');
    const acl = await ctx.backend.getAcl(ctx.session.principal!, target, true);
    const enc = ctx.enc
      .untagged()
      .raw('ACL ')
      .astring(mailboxToWire(ctx.session, nameOf(target)));
    for (const e of acl.entries) enc.sp().astring(e.identifier).sp().astring(formatRights(e.rights));
    enc.crlf();
    return { text: 'GETACL completed' };
  },
});
