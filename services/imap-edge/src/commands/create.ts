import { AUTHENTICATED, ImapNo, type CommandHandler } from './context.js';
import { mailboxFromWire } from './names.js';

const SPECIAL_USES = new Set(['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash']);

export const create: CommandHandler<'CREATE'> = {
  names: ['CREATE'],
  states: AUTHENTICATED,
  async run(ctx, cmd) {
    const name = mailboxFromWire(ctx.session, cmd.args.mailbox.replace(/\/$/, ''));
    if (name === 'INBOX') throw new ImapNo('ALREADYEXISTS', 'INBOX always exists');
    const uses = cmd.args.specialUse.map((u) => [...SPECIAL_USES].find((s) => s.toLowerCase() === u.toLowerCase()));
    if (uses.some((u) => u === undefined)) throw new ImapNo('USEATTR', 'Unsupported special-use attribute');
    if (uses.length > 1) throw new ImapNo('USEATTR', 'Only one special-use attribute per mailbox');
    await ctx.backend.createMailbox(ctx.session.principal!, name, uses[0] ?? '');
    return { text: 'CREATE completed' };
  },
};
