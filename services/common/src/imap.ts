// IMAP facts that the edge and the mailbox service both rely on.

/** The largest UID and the largest non-zero number of a sequence set (RFC 9051: nz-number fits 32 bits). */
export const MAX_UID = 4294967295;

/** The hierarchy delimiter of mailbox names, stored and on the wire. */
export const MAILBOX_DELIMITER = '/';

/**
 * The namespace of other users' mailboxes (RFC 2342): `Other Users/<owner's
 * address>/<the owner's name of the mailbox>`, reached through ACL grants
 * (RFC 4314).
 */
export const SHARED_NAMESPACE = 'Other Users';

/** The name a grantee knows another account's mailbox by (and subscribes to it under). */
export function sharedMailboxName(owner: string, name: string): string {
  return `${SHARED_NAMESPACE}${MAILBOX_DELIMITER}${owner}${MAILBOX_DELIMITER}${name}`;
}

/** The system flags (RFC 9051 2.3.2), in the order FLAGS and PERMANENTFLAGS list them. */
export const SYSTEM_FLAGS: readonly string[] = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

const SYSTEM_FLAGS_BY_LOWER = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f] as const));

/** A system flag in its canonical spelling (`\SEEN` → `\Seen`); any other flag as it is. */
export function canonicalFlag(flag: string): string {
  return SYSTEM_FLAGS_BY_LOWER.get(flag.toLowerCase()) ?? flag;
}

/** The system flag `flag` names, whatever its case; undefined for a keyword. */
export function systemFlag(flag: string): string | undefined {
  return SYSTEM_FLAGS_BY_LOWER.get(flag.toLowerCase());
}

/** Ascending UIDs as ranges of consecutive UIDs (closed at both ends). */
export function uidRuns(uids: readonly number[]): Array<{ first: number; last: number }> {
  const runs: Array<{ first: number; last: number }> = [];
  for (const uid of uids) {
    const last = runs[runs.length - 1];
    if (last && uid === last.last + 1) last.last = uid;
    else runs.push({ first: uid, last: uid });
  }
  return runs;
}
