import { AUTHENTICATED, ImapNo, type CommandHandler } from './context.js';
import { mailboxFromWire } from './names.js';

export const append: CommandHandler<'APPEND'> = {
  names: ['APPEND'],
  states: AUTHENTICATED,
  expungeAllowed: true,
  async run(ctx, cmd) {
    const { session } = ctx;
    const { messages } = cmd.args;
    if (messages.length !== 1) throw new ImapNo('CANNOT', 'MULTIAPPEND is not supported');
    const msg = messages[0]!;
    if (msg.data.length > ctx.settings.limits.appendLimit) throw new ImapNo('TOOBIG', 'Message exceeds the APPENDLIMIT');
    if (msg.data.length === 0) throw new ImapNo('CANNOT', 'Empty message');
    const mailbox = mailboxFromWire(session, cmd.args.mailbox);
    const res = await ctx.backend.append(session.principal!, {
      mailbox,
      flags: msg.flags,
      internalDateMs: msg.internalDate ? msg.internalDate.date.getTime() : 0,
      message: msg.data,
    });
    // Appending to the selected mailbox: its EXISTS goes out before the OK.
    if (session.selected?.mailboxId === res.mailboxId) session.dirty = true;
    return { code: `APPENDUID ${res.uidvalidity} ${res.uid}`, text: 'APPEND completed' };
  },
};
