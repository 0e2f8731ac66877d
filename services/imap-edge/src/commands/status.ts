// STATUS, and the STATUS lines of LIST-STATUS (RFC 5819).
import type { MailboxStatus } from '../backend.js';
import type { StatusItem } from '../protocol/index.js';
import { AUTHENTICATED, type CommandContext, type CommandHandler } from './context.js';
import { mailboxFromWire, mailboxToWire } from './names.js';

export function writeStatus(ctx: CommandContext, wireName: string, status: MailboxStatus, items: StatusItem[]): void {
  const values: string[] = [];
  for (const item of items) {
    const v: number | undefined = {
      MESSAGES: status.messages,
      UIDNEXT: status.uidnext,
      UIDVALIDITY: status.uidvalidity,
      UNSEEN: status.unseen,
      DELETED: status.deleted,
      SIZE: status.size,
      RECENT: 0,
      HIGHESTMODSEQ: status.highestmodseq,
      APPENDLIMIT: ctx.settings.limits.appendLimit,
      MAILBOXID: undefined,
    }[item];
    if (v !== undefined) values.push(`${item} ${v}`);
  }
  ctx.enc.untagged().raw('STATUS ').astring(wireName).raw(` (${values.join(' ')})`).crlf();
}

export const status: CommandHandler<'STATUS'> = {
  names: ['STATUS'],
  states: AUTHENTICATED,
  async run(ctx, cmd) {
    const name = mailboxFromWire(ctx.session, cmd.args.mailbox);
    const st = await ctx.backend.status(ctx.session.principal!, name);
    writeStatus(ctx, mailboxToWire(ctx.session, st.name), st, cmd.args.items);
    return { text: 'STATUS completed' };
  },
};
