// LIST with LIST-EXTENDED (RFC 5258), SPECIAL-USE (RFC 6154), LIST-STATUS
// (RFC 5819) and CHILDREN; LSUB for IMAP4rev1 clients.
import type { MailboxInfo } from '../backend.js';
import type { ListArgs } from '../protocol/index.js';
import { AUTHENTICATED, type CommandContext, type CommandHandler } from './context.js';
import { listMatcher, mailboxFromWire, mailboxToWire } from './names.js';
import { writeStatus } from './status.js';

const DELIMITER = '/';

interface Entry {
  name: string;
  attrs: string[];
  /** CHILDINFO extended data (RECURSIVEMATCH). */
  childInfo?: boolean;
  info?: MailboxInfo;
}

function hasChildren(all: MailboxInfo[], name: string): boolean {
  return all.some((m) => m.name.startsWith(name + DELIMITER));
}

/** Mailbox names a LIST matches, with their attributes. */
async function collect(ctx: CommandContext, args: ListArgs): Promise<Entry[]> {
  const { session } = ctx;
  const { mailboxes: all, orphanSubscriptions } = await ctx.backend.listMailboxes(session.principal!);
  const matchers = args.patterns.map((p) => listMatcher(mailboxFromWire(session, args.reference + p), DELIMITER));
  const matches = (name: string) => matchers.some((m) => m(name));
  const subscribedOnly = args.selectOptions.includes('SUBSCRIBED');
  const specialOnly = args.selectOptions.includes('SPECIAL-USE');
  const recursive = args.selectOptions.includes('RECURSIVEMATCH');
  const returnSubscribed = subscribedOnly || args.returnOptions.includes('SUBSCRIBED');

  const entries: Entry[] = [];
  for (const m of all) {
    if (specialOnly && !m.specialUse) continue;
    const attrs = [hasChildren(all, m.name) ? '\\HasChildren' : '\\HasNoChildren'];
    if (m.specialUse) attrs.push(m.specialUse);
    if (returnSubscribed && m.subscribed) attrs.push('\\Subscribed');
    if (subscribedOnly && !m.subscribed) {
      // RECURSIVEMATCH: a parent that is not itself subscribed but has subscribed children.
      if (recursive && matches(m.name) && all.some((c) => c.subscribed && c.name.startsWith(m.name + DELIMITER))) {
        entries.push({ name: m.name, attrs, childInfo: true, info: m });
      }
      continue;
    }
    if (matches(m.name)) entries.push({ name: m.name, attrs, info: m });
  }
  if (subscribedOnly) {
    for (const name of orphanSubscriptions) {
      if (matches(name)) entries.push({ name, attrs: ['\\NonExistent', '\\Subscribed'] });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return entries;
}

export const list: CommandHandler<'LIST'> = {
  names: ['LIST'],
  states: AUTHENTICATED,
  async run(ctx, cmd) {
    const { session, enc } = ctx;
    const args = cmd.args;
    // An empty pattern asks for the delimiter and the root (RFC 9051 6.3.9).
    if (!args.extended && args.patterns.length === 1 && args.patterns[0] === '') {
      enc.untagged().raw('LIST (\\Noselect) ').quoted(DELIMITER).sp().quoted('').crlf();
      return { text: 'LIST completed' };
    }
    for (const e of await collect(ctx, args)) {
      const wire = mailboxToWire(session, e.name);
      enc.untagged().raw(`LIST (${e.attrs.join(' ')}) `).quoted(DELIMITER).sp().astring(wire);
      if (e.childInfo) enc.raw(' ("CHILDINFO" ("SUBSCRIBED"))');
      enc.crlf();
      if (args.statusItems && e.info) {
        // A mailbox that vanished between LIST and STATUS is simply left out.
        const st = await ctx.backend.status(session.principal!, e.name).catch(() => undefined);
        if (st) writeStatus(ctx, wire, st, args.statusItems);
      }
    }
    return { text: 'LIST completed' };
  },
};

export const lsub: CommandHandler<'LSUB'> = {
  names: ['LSUB'],
  states: AUTHENTICATED,
  async run(ctx, cmd) {
    const { session, enc } = ctx;
    const { mailboxes, orphanSubscriptions } = await ctx.backend.listMailboxes(session.principal!);
    const match = listMatcher(mailboxFromWire(session, cmd.args.reference + cmd.args.pattern), DELIMITER);
    const subscribed = new Set([...mailboxes.filter((m) => m.subscribed).map((m) => m.name), ...orphanSubscriptions]);
    // A parent that is not subscribed itself but has subscribed children, and
    // that the pattern reaches (with "%"), is listed as \Noselect (RFC 3501 6.3.9).
    const entries = new Map<string, string>();
    const wildcardLevel = cmd.args.pattern.includes('%');
    for (const name of subscribed) {
      if (match(name)) {
        entries.set(name, '');
        continue;
      }
      if (!wildcardLevel) continue;
      const parts = name.split(DELIMITER);
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join(DELIMITER);
        if (!subscribed.has(parent) && match(parent) && !entries.has(parent)) entries.set(parent, '\\Noselect');
      }
    }
    for (const [name, attrs] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      enc.untagged().raw(`LSUB (${attrs}) `).quoted(DELIMITER).sp().astring(mailboxToWire(session, name)).crlf();
    }
    return { text: 'LSUB completed' };
  },
};
