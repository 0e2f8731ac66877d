// Mailbox names between the wire and the mailbox service: modified UTF-7 for
// IMAP4rev1 sessions, UTF-8 once UTF8=ACCEPT or IMAP4rev2 is enabled.
import { MAILBOX_DELIMITER, SHARED_NAMESPACE, sharedMailboxName } from '@kimap/common';
import { decodeMutf7, encodeMutf7, type CommandParser } from '../protocol/index.js';
import type { MailboxTarget } from '../backend.js';
import type { Session } from '../session.js';
import { ImapNo } from './command.js';

/**
 * A name that is not valid modified UTF-7 is well-formed IMAP that names no
 * mailbox: NO, as Dovecot answers (no response code), not BAD.
 */
export class InvalidMailboxName extends ImapNo {
  constructor() {
    super(undefined, 'Mailbox name is not valid modified UTF-7');
  }
}

export function mailboxFromWire(session: Session, wire: string): string {
  if (wire.toUpperCase() === 'INBOX') return 'INBOX';
  if (session.utf8) return wire;
  try {
    return decodeMutf7(wire);
  } catch {
    throw new InvalidMailboxName();
  }
}

/** A LIST/LSUB pattern decoded; null when it is not valid modified UTF-7 (it matches no mailbox). */
export function patternFromWire(session: Session, wire: string): string | null {
  try {
    return mailboxFromWire(session, wire);
  } catch (err) {
    if (err instanceof InvalidMailboxName) return null;
    throw err;
  }
}

export function mailboxToWire(session: Session, name: string): string {
  return session.utf8 ? name : encodeMutf7(name);
}

// The shared namespace (SHARED_NAMESPACE, @kimap/common): the mailbox
// service, not the edge, decides what a name there may reach.
export { SHARED_NAMESPACE };

/**
 * The target of a decoded name. A name in the shared namespace with no
 * mailbox part (the namespace itself, or an owner's level) has `name` ''.
 */
export function targetOf(name: string): MailboxTarget {
  if (name !== SHARED_NAMESPACE && !name.startsWith(SHARED_NAMESPACE + MAILBOX_DELIMITER)) return { owner: '', name };
  const rest = name.slice(SHARED_NAMESPACE.length + 1);
  const cut = rest.indexOf(MAILBOX_DELIMITER);
  const owner = cut < 0 ? rest : rest.slice(0, cut);
  // The namespace itself, or no owner: a name that addresses no mailbox.
  if (!owner) return { owner: '', name: '' };
  const mailbox = cut < 0 ? '' : rest.slice(cut + 1);
  return { owner, name: mailbox.toUpperCase() === 'INBOX' ? 'INBOX' : mailbox };
}

/** The mailbox a client's name addresses. */
export function targetFromWire(session: Session, wire: string): MailboxTarget {
  return targetOf(mailboxFromWire(session, wire));
}

/** The name a session knows a target by (decoded; mailboxToWire encodes it). */
export function nameOf(target: MailboxTarget): string {
  return target.owner ? sharedMailboxName(target.owner, target.name) : target.name;
}

/**
 * LIST pattern matching (RFC 9051 6.3.9): "*" matches anything, "%" anything
 * but the hierarchy delimiter. INBOX matches case-insensitively. A null
 * pattern (see patternFromWire) matches nothing.
 */
export function listMatcher(pattern: string | null, delimiter = MAILBOX_DELIMITER): (name: string) => boolean {
  if (pattern === null) return () => false;
  let re = '^';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '%') re += `[^${escapeRe(delimiter)}]*`;
    else re += escapeRe(ch);
  }
  re += '$';
  const rx = new RegExp(re, 'su');
  const inboxRx = /^inbox(?=$|\/)/i.test(pattern) ? new RegExp(re.replace(/^\^inbox/i, '^INBOX'), 'su') : undefined;
  return (name) => rx.test(name) || (inboxRx !== undefined && inboxRx.test(name));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The arguments of a command whose one argument is a mailbox (DELETE, SUBSCRIBE, UNSUBSCRIBE). */
export interface MailboxArgs {
  readonly mailbox: string;
}

/** `SP mailbox`, as sent (INBOX normalised); decoding waits for the session (mailboxFromWire). */
export function parseMailboxArgument(p: CommandParser): MailboxArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  p.expectEnd();
  return { mailbox };
}
