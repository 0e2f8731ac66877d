// SETACL and DELETEACL (RFC 4314 3.1, 3.2): the a right on the mailbox is
// needed; identifiers are "anyone" (of the owner's tenant) or an account of
// the owner's tenant. Negative rights ("-identifier") are not supported.
import type { AclChange } from '../backend.js';
import type { CommandParser } from '../protocol/index.js';
import { checkIdentifier, parseModRights } from './acl-rights.js';
import { AUTHENTICATED, defineCommand, ImapNo } from './command.js';
import { targetFromWire } from './names.js';

export interface SetAclArgs {
  readonly mailbox: string;
  readonly identifier: string;
  readonly change: AclChange;
  /** The rights to set, add or remove (c and d expanded); '' for DELETEACL. */
  readonly rights: string;
}

/** `SETACL SP mailbox SP identifier SP mod-rights`, `DELETEACL SP mailbox SP identifier`. */
export function parseSetAcl(p: CommandParser, name: string): SetAclArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  p.expectSP();
  const identifier = checkIdentifier(p.expectAstring());
  if (name === 'DELETEACL') {
    p.expectEnd();
    return { mailbox, identifier, change: 'delete', rights: '' };
  }
  p.expectSP();
  const { change, rights } = parseModRights(p.expectAstring());
  p.expectEnd();
  return { mailbox, identifier, change, rights };
}

export const setacl = defineCommand({
  names: ['SETACL', 'DELETEACL'],
  states: AUTHENTICATED,
  parse: parseSetAcl,
  async run(ctx, cmd) {
    const { identifier, change, rights } = cmd.args;
    if (identifier.startsWith('-')) throw new ImapNo('CANNOT', 'Negative rights are not supported');
    const target = targetFromWire(ctx.session, cmd.args.mailbox);
    if (!target.name) throw new ImapNo('NONEXISTENT', 'Mailbox does not exist');
    await ctx.backend.setAcl(ctx.session.principal!, target, identifier, change, rights);
    return { text: `${cmd.name} completed` };
  },
});
