// STATUS, and the STATUS lines of LIST-STATUS (RFC 5819).
import type { MailboxStatus } from '../backend.js';
import type { CommandParser } from '../protocol/index.js';
import { AUTHENTICATED, defineCommand } from './command.js';
import { enableCondstore } from './condstore.js';
import type { CommandContext } from './context.js';
import { mailboxToWire, nameOf, targetFromWire } from './names.js';

export type StatusItem =
  | 'MESSAGES'
  | 'UIDNEXT'
  | 'UIDVALIDITY'
  | 'UNSEEN'
  | 'DELETED'
  | 'DELETED-STORAGE'
  | 'SIZE'
  | 'RECENT'
  | 'HIGHESTMODSEQ'
  | 'APPENDLIMIT'
  | 'MAILBOXID';

const STATUS_ITEMS: ReadonlySet<string> = new Set<StatusItem>([
  'MESSAGES',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'DELETED',
  'DELETED-STORAGE',
  'SIZE',
  'RECENT',
  'HIGHESTMODSEQ',
  'APPENDLIMIT',
  'MAILBOXID',
]);

/** `"(" status-att *(SP status-att) ")"` (also in LIST's RETURN (STATUS ...)). */
export function parseStatusItems(p: CommandParser): StatusItem[] {
  return p.expectList(
    (q) => {
      const item = q.expectAtom().toUpperCase();
      if (!STATUS_ITEMS.has(item)) q.fail(`Unknown STATUS item ${item.slice(0, 40)}`);
      return item as StatusItem;
    },
    { allowEmpty: false },
  );
}

export interface StatusArgs {
  readonly mailbox: string;
  readonly items: StatusItem[];
}

/** `STATUS SP mailbox SP "(" status-att *(SP status-att) ")"`. */
export function parseStatus(p: CommandParser): StatusArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  p.expectSP();
  const items = parseStatusItems(p);
  p.expectEnd();
  return { mailbox, items };
}

/** What to ask of GetStatus beyond its counters. */
export function statusOptions(items: readonly StatusItem[]): { deletedSize: boolean; recent: boolean } {
  return { deletedSize: items.includes('DELETED-STORAGE'), recent: items.includes('RECENT') };
}

/**
 * STATUS RECENT: the messages no session has claimed; of the mailbox this
 * session has selected, those recent in it (as Dovecot answers); none
 * under IMAP4rev2, which has no \Recent.
 */
function recentOf(ctx: CommandContext, status: MailboxStatus): number {
  const mb = ctx.session.selected;
  if (ctx.session.enabled.has('IMAP4REV2')) return 0;
  if (mb && mb.mailboxId === status.mailboxId) return mb.recentCount;
  return status.recent;
}

export function writeStatus(ctx: CommandContext, wireName: string, status: MailboxStatus, items: StatusItem[]): void {
  const values: string[] = [];
  for (const item of items) {
    const v: number | undefined = {
      MESSAGES: status.messages,
      UIDNEXT: status.uidnext,
      UIDVALIDITY: status.uidvalidity,
      UNSEEN: status.unseen,
      DELETED: status.deleted,
      // RFC 9208 4.2: what EXPUNGE would give back, in octets (the sum of RFC822.SIZE, as Cyrus answers).
      'DELETED-STORAGE': status.deletedSize,
      SIZE: status.size,
      RECENT: item === 'RECENT' ? recentOf(ctx, status) : undefined,
      HIGHESTMODSEQ: status.highestmodseq,
      APPENDLIMIT: ctx.settings.limits.appendLimit,
      MAILBOXID: undefined,
    }[item];
    if (v !== undefined) values.push(`${item} ${v}`);
  }
  ctx.enc
    .untagged()
    .raw('STATUS ')
    .astring(wireName)
    .raw(` (${values.join(' ')})`)
    .crlf();
}

export const status = defineCommand({
  names: ['STATUS'],
  states: AUTHENTICATED,
  capabilities: ['STATUS=SIZE'],
  parse: parseStatus,
  async run(ctx, cmd) {
    if (cmd.args.items.includes('HIGHESTMODSEQ')) enableCondstore(ctx);
    const target = targetFromWire(ctx.session, cmd.args.mailbox);
    const st = await ctx.backend.status(ctx.session.principal!, target, statusOptions(cmd.args.items));
    writeStatus(ctx, mailboxToWire(ctx.session, nameOf({ owner: target.owner, name: st.name })), st, cmd.args.items);
    return { text: 'STATUS completed' };
  },
});
