// LISTRIGHTS (RFC 4314 3.4): the a right on the mailbox is needed. The owner
// always has every right; anyone else can be granted each right on its own.
import type { CommandParser } from '../protocol/index.js';
import { checkIdentifier, formatRights, RIGHTS } from './acl-rights.js';
import { AUTHENTICATED, defineCommand, ImapNo } from './command.js';
import { mailboxToWire, nameOf, targetFromWire } from './names.js';

export interface ListRightsArgs {
  readonly mailbox: string;
  readonly identifier: string;
}

/** `LISTRIGHTS SP mailbox SP identifier`. */
export function parseListRights(p: CommandParser): ListRightsArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  p.expectSP();
  const identifier = checkIdentifier(p.expectAstring());
  p.expectEnd();
  return { mailbox, identifier };
}

/** Each right on its own, then the virtual c and d (RFC 4314 2.1.1). */
const OPTIONAL = [...RIGHTS, 'c', 'd'];

export const listrights = defineCommand({
  names: ['LISTRIGHTS'],
  states: AUTHENTICATED,
  parse: parseListRights,
  async run(ctx, cmd) {
    const target = targetFromWire(ctx.session, cmd.args.mailbox);
    if (!target.name) throw new ImapNo('NONEXISTENT', 'Mailbox does not exist');
    const acl = await ctx.backend.getAcl(ctx.session.principal!, target, true);
    const { identifier } = cmd.args;
    const enc = ctx.enc
      .untagged()
      .raw('LISTRIGHTS ')
      .astring(mailboxToWire(ctx.session, nameOf(target)))
      .sp()
      .astring(identifier)
      .sp();
    // The identifier as the client sent it (RFC 4314 3.4), compared as addresses are.
    if (identifier.toLowerCase() === acl.owner.toLowerCase()) enc.astring(formatRights(RIGHTS));
    else enc.quoted('').raw(' ' + OPTIONAL.join(' '));
    enc.crlf();
    return { text: 'LISTRIGHTS completed' };
  },
});
