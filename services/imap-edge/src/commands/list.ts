import type { MailboxInfo } from '../backend.js';
import { AUTHENTICATED, type CommandContext, type CommandHandler } from './context.js';
import { listMatcher, mailboxFromWire, mailboxToWire } from './names.js';

const DELIMITER = '/';

function attributes(m: MailboxInfo, extendedSpecialUse: boolean): string[] {
  const attrs = [m.hasChildren ? '\\HasChildren' : '\\HasNoChildren'];
  if (m.specialUse && extendedSpecialUse) attrs.push(m.specialUse);
  return attrs;
}

/** Writes `* LIST (attrs) "/" name` for every mailbox matching a pattern. */
async function listMatching(ctx: CommandContext, verb: 'LIST' | 'LSUB', reference: string, patterns: string[], subscribedOnly: boolean): Promise<void> {
  const { session, enc } = ctx;
  // An empty pattern asks for the delimiter and the root (RFC 9051 6.3.9).
  if (patterns.length === 1 && patterns[0] === '') {
    enc.untagged().raw(`${verb} (\\Noselect) `).quoted(DELIMITER).sp().quoted('').crlf();
    return;
  }
  const all = await ctx.backend.listMailboxes(session.principal!);
  const matchers = patterns.map((p) => listMatcher(mailboxFromWire(session, reference + p), DELIMITER));
  for (const m of all) {
    if (subscribedOnly && !m.subscribed) continue;
    if (!matchers.some((match) => match(m.name))) continue;
    const attrs = attributes(m, true);
    if (verb === 'LIST' && subscribedOnly) attrs.push('\\Subscribed');
    enc.untagged().raw(`${verb} (${attrs.join(' ')}) `).quoted(DELIMITER).sp().astring(mailboxToWire(session, m.name)).crlf();
  }
}

export const list: CommandHandler<'LIST'> = {
  names: ['LIST'],
  states: AUTHENTICATED,
  async run(ctx, cmd) {
    const { reference, patterns, selectOptions } = cmd.args;
    await listMatching(ctx, 'LIST', reference, patterns, selectOptions.includes('SUBSCRIBED'));
    return { text: 'LIST completed' };
  },
};

export const lsub: CommandHandler<'LSUB'> = {
  names: ['LSUB'],
  states: AUTHENTICATED,
  async run(ctx, cmd) {
    await listMatching(ctx, 'LSUB', cmd.args.reference, [cmd.args.pattern], true);
    return { text: 'LSUB completed' };
  },
};
