import { formatUidSet } from '../protocol/index.js';
import { AUTHENTICATED, ImapBad, ImapNo, type CommandHandler } from './context.js';
import { mailboxFromWire } from './names.js';
import { checkFlags } from './flags.js';

export const append: CommandHandler<'APPEND'> = {
  names: ['APPEND'],
  states: AUTHENTICATED,
  expungeAllowed: true,
  async run(ctx, cmd) {
    const { session } = ctx;
    const { messages } = cmd.args;
    let total = 0;
    for (const msg of messages) {
      // The UTF8 data item exists only for clients that enabled UTF8=ACCEPT (RFC 6855 4).
      if (msg.utf8 && !session.enabled.has('UTF8=ACCEPT')) throw new ImapBad('UTF8 APPEND data needs UTF8=ACCEPT to be enabled');
      checkFlags(msg.flags);
      if (msg.data.length > ctx.settings.limits.appendLimit) throw new ImapNo('TOOBIG', 'Message exceeds the APPENDLIMIT');
      if (msg.data.length === 0) throw new ImapNo('CANNOT', 'Empty message');
      total += msg.data.length;
    }
    // MULTIAPPEND is stored in one transaction: all messages or none.
    if (total > ctx.settings.limits.appendLimit * 2) throw new ImapNo('TOOBIG', 'Too much data in one APPEND');
    const mailbox = mailboxFromWire(session, cmd.args.mailbox);
    const res = await ctx.backend.append(session.principal!, {
      mailbox,
      items: messages.map((msg) => ({
        flags: msg.flags,
        internalDateMs: msg.internalDate ? msg.internalDate.date.getTime() : 0,
        message: msg.data,
      })),
    });
    // Appending to the selected mailbox: its EXISTS goes out before the OK.
    const mb = session.selected;
    if (mb?.mailboxId === res.mailboxId) {
      const flags = messages.length === 1 ? messages[0]!.flags : [];
      const changed = res.uids.map((uid) => ({ uid, modseq: res.modseq, flags }));
      mb.ownChange({ status: { highestmodseq: res.modseq, uidnext: res.uids[res.uids.length - 1]! + 1 }, changed, expunged: [] });
    }
    return { code: `APPENDUID ${res.uidvalidity} ${formatUidSet(res.uids)}`, text: 'APPEND completed' };
  },
};
