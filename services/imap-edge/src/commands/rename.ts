// RENAME (RFC 9051 6.3.6), with the mailbox's children.
import type { CommandParser } from '../protocol/index.js';
import { AUTHENTICATED, defineCommand } from './command.js';
import { mailboxFromWire } from './names.js';

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
    const from = mailboxFromWire(ctx.session, cmd.args.from);
    const to = mailboxFromWire(ctx.session, cmd.args.to.replace(/\/$/, ''));
    await ctx.backend.renameMailbox(ctx.session.principal!, from, to);
    return { text: 'RENAME completed' };
  },
});
