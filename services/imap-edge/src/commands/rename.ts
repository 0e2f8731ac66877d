// RENAME (RFC 9051 6.3.6), with the mailbox's children.
import type { CommandParser } from '../protocol/index.js';
import { AUTHENTICATED, defineCommand, ImapNo } from './command.js';
import { targetFromWire } from './names.js';

export interface RenameArgs {
  readonly from: string;
  readonly to: string;
}

/** `RENAME SP mailbox SP mailbox`. */
export function parseRename(p: CommandParser): RenameArgs {
  p.expectSP();
  const from = p.expectMailbox();
  p.expectSP();
  const to = p.expectMailbox();
  p.expectEnd();
  return { from, to };
}

export const rename = defineCommand({
  names: ['RENAME'],
  states: AUTHENTICATED,
  parse: parseRename,
  async run(ctx, cmd) {
    const from = targetFromWire(ctx.session, cmd.args.from);
    const to = targetFromWire(ctx.session, cmd.args.to.replace(/\/$/, ''));
    // A mailbox stays in its owner's account.
    if (from.owner.toLowerCase() !== to.owner.toLowerCase()) throw new ImapNo('CANNOT', 'Cannot move a mailbox to another account');
    await ctx.backend.renameMailbox(ctx.session.principal!, from, to.name);
    return { text: 'RENAME completed' };
  },
});
