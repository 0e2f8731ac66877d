// LIST with LIST-EXTENDED (RFC 5258), SPECIAL-USE (RFC 6154), LIST-STATUS
// (RFC 5819), LIST-MYRIGHTS (RFC 8440) and CHILDREN; LSUB for IMAP4rev1 clients.
import { MAILBOX_DELIMITER } from '@kimap/common';
import type { MailboxInfo, MailboxTarget } from '../backend.js';
import type { CommandParser } from '../protocol/index.js';
import { formatRights, RIGHTS } from './acl-rights.js';
import { AUTHENTICATED, defineCommand } from './command.js';
import type { CommandContext } from './context.js';
import { listMatcher, mailboxToWire, nameOf, patternFromWire } from './names.js';
import { parseStatusItems, statusOptions, writeStatus, type StatusItem } from './status.js';

export type ListSelectOption = 'SUBSCRIBED' | 'REMOTE' | 'RECURSIVEMATCH' | 'SPECIAL-USE';
export type ListReturnOption = 'SUBSCRIBED' | 'CHILDREN' | 'SPECIAL-USE' | 'STATUS' | 'MYRIGHTS';

const SELECT_OPTIONS: ReadonlySet<string> = new Set<ListSelectOption>(['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE']);
const RETURN_OPTIONS: ReadonlySet<string> = new Set<ListReturnOption>(['SUBSCRIBED', 'CHILDREN', 'SPECIAL-USE', 'STATUS', 'MYRIGHTS']);

export interface ListArgs {
  /** Reference name (often ""). Not INBOX-normalized: it is a prefix, not a mailbox. */
  readonly reference: string;
  /** One pattern for basic LIST; one or more with LIST-EXTENDED `(p1 p2)`. May contain `%` / `*`. */
  readonly patterns: string[];
  readonly selectOptions: ListSelectOption[];
  readonly returnOptions: ListReturnOption[];
  /** Items of `RETURN (STATUS (...))` (RFC 5819), when requested. */
  readonly statusItems?: StatusItem[];
  /** True if any LIST-EXTENDED syntax was used (the response format differs slightly). */
  readonly extended: boolean;
}

/** `LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]` (RFC 5258). */
export function parseList(p: CommandParser): ListArgs {
  p.expectSP();
  let extended = false;
  const selectOptions: ListSelectOption[] = [];
  if (p.peek() === 0x28) {
    extended = true;
    p.expectList((q) => {
      const opt = q.expectAtom().toUpperCase();
      if (!SELECT_OPTIONS.has(opt)) q.fail(`Unsupported LIST selection option ${opt.slice(0, 40)}`);
      selectOptions.push(opt as ListSelectOption);
    });
    // RFC 5258 §3.1: RECURSIVEMATCH needs another selection option to act on.
    if (selectOptions.includes('RECURSIVEMATCH') && selectOptions.every((o) => o === 'RECURSIVEMATCH' || o === 'REMOTE')) {
      p.fail('RECURSIVEMATCH requires another selection option');
    }
    p.expectSP();
  }
  const reference = p.expectAstring();
  p.expectSP();
  let patterns: string[];
  if (p.peek() === 0x28) {
    extended = true;
    patterns = p.expectList((q) => q.expectListMailbox(), { allowEmpty: false });
  } else {
    patterns = [p.expectListMailbox()];
  }
  const returnOptions: ListReturnOption[] = [];
  let statusItems: StatusItem[] | undefined;
  if (p.trySP()) {
    extended = true;
    if (!p.tryKeyword('RETURN')) p.fail('Expected RETURN');
    p.expectSP();
    p.expectList((q) => {
      const opt = q.expectAtom().toUpperCase();
      if (!RETURN_OPTIONS.has(opt)) q.fail(`Unsupported LIST return option ${opt.slice(0, 40)}`);
      returnOptions.push(opt as ListReturnOption);
      if (opt === 'STATUS') {
        q.expectSP();
        statusItems = parseStatusItems(q);
      }
    });
  }
  p.expectEnd();
  return { reference, patterns, selectOptions, returnOptions, ...(statusItems && { statusItems }), extended };
}

export interface LsubArgs {
  readonly reference: string;
  readonly pattern: string;
}

/** `LSUB SP mailbox SP list-mailbox` (RFC 3501; deprecated in 9051 but still used). */
export function parseLsub(p: CommandParser): LsubArgs {
  p.expectSP();
  const reference = p.expectAstring();
  p.expectSP();
  const pattern = p.expectListMailbox();
  p.expectEnd();
  return { reference, pattern };
}

const DELIMITER = MAILBOX_DELIMITER;

interface Entry {
  name: string;
  attrs: string[];
  /** CHILDINFO extended data (RECURSIVEMATCH). */
  childInfo?: boolean;
  info?: MailboxInfo;
  /** Whose mailbox it is (for LIST-STATUS). */
  target?: MailboxTarget;
}

/** A mailbox as LIST shows it: by the name the session knows it by; `info` undefined for a level that holds none. */
interface Listed {
  name: string;
  info?: MailboxInfo;
  target?: MailboxTarget;
}

/**
 * The session's own mailboxes, then those shared with it under the shared
 * namespace: `Other Users`, each owner's level and any level between that
 * the session may not see are listed as \Noselect, so that the hierarchy
 * holds together (RFC 4314 4: a mailbox the session has no l right on is
 * not there).
 */
function listed(own: MailboxInfo[], shared: MailboxInfo[]): Listed[] {
  const others: Listed[] = [];
  const levels = new Set<string>();
  const seen = new Set<string>();
  for (const m of shared) {
    const name = nameOf({ owner: m.owner, name: m.name });
    seen.add(name);
    others.push({ name, info: m, target: { owner: m.owner, name: m.name } });
    const parts = name.split(DELIMITER);
    for (let i = 1; i < parts.length; i++) levels.add(parts.slice(0, i).join(DELIMITER));
  }
  for (const level of levels) if (!seen.has(level)) others.push({ name: level });
  others.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...own.map((m) => ({ name: m.name, info: m, target: { owner: '', name: m.name } })), ...others];
}

function hasChildren(all: Listed[], name: string): boolean {
  return all.some((m) => m.name.startsWith(name + DELIMITER));
}

/** The names of a sorted list that start with `prefix` (they are next to one another). */
function namesUnder(sorted: readonly string[], prefix: string): string[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < sorted.length && sorted[i]!.startsWith(prefix); i++) out.push(sorted[i]!);
  return out;
}

/** Mailbox names a LIST matches, with their attributes. */
async function collect(ctx: CommandContext, args: ListArgs): Promise<Entry[]> {
  const { session } = ctx;
  const list = await ctx.backend.listMailboxes(session.principal!);
  const all = listed(list.mailboxes, list.shared);
  const { orphanSubscriptions } = list;
  const matchers = args.patterns.map((p) => listMatcher(patternFromWire(session, args.reference + p), DELIMITER));
  const matches = (name: string) => matchers.some((m) => m(name));
  const subscribedOnly = args.selectOptions.includes('SUBSCRIBED');
  const specialOnly = args.selectOptions.includes('SPECIAL-USE');
  const recursive = args.selectOptions.includes('RECURSIVEMATCH');
  const returnSubscribed = subscribedOnly || args.returnOptions.includes('SUBSCRIBED');

  const subscribedNames = recursive ? [...all.filter((l) => l.info?.subscribed).map((l) => l.name), ...orphanSubscriptions].sort() : [];
  const subscribedBelow = (name: string) => namesUnder(subscribedNames, name + DELIMITER);

  const entries: Entry[] = [];
  for (const l of all) {
    const m = l.info;
    if (specialOnly && !m?.specialUse) continue;
    const attrs = [hasChildren(all, l.name) ? '\\HasChildren' : '\\HasNoChildren'];
    if (!m) attrs.unshift('\\Noselect');
    if (m?.specialUse) attrs.push(m.specialUse);
    const subscribed = m?.subscribed ?? false;
    if (returnSubscribed && subscribed) attrs.push('\\Subscribed');
    const entry: Entry = { name: l.name, attrs, ...(m && { info: m }), ...(l.target && { target: l.target }) };
    if (!matches(l.name)) continue;
    if (!subscribedOnly) {
      entries.push(entry);
      continue;
    }
    // RECURSIVEMATCH (RFC 5258 3.1, 3.5): CHILDINFO says the mailbox has
    // subscribed descendants. A subscribed mailbox is listed anyway and says
    // so for any of them; one that is not subscribed is listed only for a
    // subscribed descendant that the patterns do not report on its own (as
    // Dovecot does): otherwise that descendant's own line is the answer.
    if (subscribed) {
      entries.push(recursive && subscribedBelow(l.name).length > 0 ? { ...entry, childInfo: true } : entry);
    } else if (recursive && subscribedBelow(l.name).some((name) => !matches(name))) {
      entries.push({ ...entry, childInfo: true });
    }
  }
  if (subscribedOnly) {
    for (const name of orphanSubscriptions) {
      if (matches(name)) entries.push({ name, attrs: ['\\NonExistent', '\\Subscribed'] });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return entries;
}

export const list = defineCommand({
  names: ['LIST'],
  states: AUTHENTICATED,
  capabilities: ['CHILDREN', 'LIST-EXTENDED', 'LIST-STATUS', 'LIST-MYRIGHTS', 'SPECIAL-USE'],
  parse: parseList,
  async run(ctx, cmd) {
    const { session, enc } = ctx;
    const args = cmd.args;
    // An empty pattern asks for the delimiter and the root (RFC 9051 6.3.9).
    if (!args.extended && args.patterns.length === 1 && args.patterns[0] === '') {
      enc.untagged().raw('LIST (\\Noselect) ').quoted(DELIMITER).sp().quoted('').crlf();
      return { text: 'LIST completed' };
    }
    const myRights = args.returnOptions.includes('MYRIGHTS');
    const entries = await collect(ctx, args);
    // LIST-STATUS: the account's own mailboxes in one call (an account may have thousands).
    const statuses =
      args.statusItems && entries.some((e) => e.info && !e.target?.owner)
        ? new Map((await ctx.backend.statuses(session.principal!, statusOptions(args.statusItems))).map((st) => [st.mailboxId, st]))
        : undefined;
    for (const e of entries) {
      const wire = mailboxToWire(session, e.name);
      enc
        .untagged()
        .raw(`LIST (${e.attrs.join(' ')}) `)
        .quoted(DELIMITER)
        .sp()
        .astring(wire);
      if (e.childInfo) enc.raw(' ("CHILDINFO" ("SUBSCRIBED"))');
      enc.crlf();
      if (args.statusItems && e.info) {
        // A mailbox that vanished between LIST and STATUS is simply left out.
        const st = e.target?.owner
          ? await ctx.backend.status(session.principal!, e.target, statusOptions(args.statusItems)).catch(() => undefined)
          : statuses?.get(e.info.mailboxId);
        if (st) writeStatus(ctx, wire, st, args.statusItems);
      }
      // RFC 8440: the session's rights on each selectable mailbox listed (all of them on its own).
      if (myRights && e.info) {
        enc
          .untagged()
          .raw('MYRIGHTS ')
          .astring(wire)
          .sp()
          .astring(formatRights(e.target?.owner ? e.info.rights : RIGHTS))
          .crlf();
      }
    }
    return { text: 'LIST completed' };
  },
});

export const lsub = defineCommand({
  names: ['LSUB'],
  states: AUTHENTICATED,
  parse: parseLsub,
  async run(ctx, cmd) {
    const { session, enc } = ctx;
    const { mailboxes, shared, orphanSubscriptions } = await ctx.backend.listMailboxes(session.principal!);
    const match = listMatcher(patternFromWire(session, cmd.args.reference + cmd.args.pattern), DELIMITER);
    const subscribed = new Set([
      ...mailboxes.filter((m) => m.subscribed).map((m) => m.name),
      ...shared.filter((m) => m.subscribed).map((m) => nameOf({ owner: m.owner, name: m.name })),
      ...orphanSubscriptions,
    ]);
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
});
