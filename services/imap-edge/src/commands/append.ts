// APPEND with MULTIAPPEND (RFC 3502), BINARY literal8 (RFC 3516), UTF8
// (RFC 6855) and UIDPLUS's APPENDUID (RFC 4315). Large literals are refused
// before they are sent (the connection's literal check, APPENDLIMIT).
import { binaryPartsToBase64 } from '@kimap/common/mime/index';
import { formatUidSet, type CommandParser, type ImapDateTime } from '../protocol/index.js';
import { AUTHENTICATED, defineCommand, ImapBad, ImapNo } from './command.js';
import { checkFlags } from './flags.js';
import { targetFromWire } from './names.js';

export interface AppendMessage {
  /** Flags to set; empty if none were given. */
  readonly flags: string[];
  /** INTERNALDATE to set; absent means "now". */
  readonly internalDate?: ImapDateTime;
  /** The message bytes (the literal, exactly as sent). */
  readonly data: Buffer;
  /** Sent as literal8 `~{n}` (may contain NUL / binary content). */
  readonly binary: boolean;
  /** Sent as `UTF8 (~{n})` (RFC 6855): the message may contain raw UTF-8 headers. */
  readonly utf8: boolean;
}

export interface AppendArgs {
  readonly mailbox: string;
  /** One entry per message; more than one is MULTIAPPEND (must be stored atomically). */
  readonly messages: AppendMessage[];
}

/**
 * `APPEND SP mailbox 1*append-message`,
 * append-message = [SP flag-list] [SP date-time] SP append-data,
 * append-data = literal / literal8 / "UTF8" SP "(" literal8 ")".
 */
export function parseAppend(p: CommandParser): AppendArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  const messages: AppendMessage[] = [];
  do {
    p.expectSP();
    let flags: string[] = [];
    let internalDate: ImapDateTime | undefined;
    if (p.peek() === 0x28 /* ( */) {
      flags = p.expectFlagList();
      p.expectSP();
    }
    if (p.peek() === 0x22 /* " */) {
      internalDate = p.expectDateTime();
      p.expectSP();
    }
    let utf8 = false;
    let lit;
    if (p.atLiteral()) {
      lit = p.expectLiteral(true);
    } else if (p.tryKeyword('UTF8')) {
      utf8 = true;
      p.expectSP();
      p.expectChar('(');
      lit = p.expectLiteral(true);
      if (!lit.binary) p.fail('UTF8 APPEND data must be a literal8');
      p.expectChar(')');
    } else if (p.tryKeyword('CATENATE')) {
      return p.fail('CATENATE is not supported', 'CANNOT');
    } else {
      return p.fail('Expected message literal');
    }
    messages.push({ flags, ...(internalDate && { internalDate }), data: lit.data, binary: lit.binary, utf8 });
  } while (!p.atEnd());
  return { mailbox, messages };
}

export const append = defineCommand({
  names: ['APPEND'],
  states: AUTHENTICATED,
  capabilities: ['MULTIAPPEND'],
  parse: parseAppend,
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
    const target = targetFromWire(session, cmd.args.mailbox);
    // Into the mailbox a read-write IMAP4rev1 session has selected: the APPEND claims its messages as \Recent.
    const selected = session.selected;
    const claimRecent = selected?.recentMode === 'claim' && selected.owner === target.owner && selected.name === target.name;
    const res = await ctx.backend.append(session.principal!, {
      owner: target.owner,
      mailbox: target.name,
      claimRecent,
      items: messages.map((msg) => ({
        flags: msg.flags,
        internalDateMs: msg.internalDate ? msg.internalDate.date.getTime() : 0,
        // A literal8 may hold binary parts: stored base64-encoded (see binaryPartsToBase64).
        message: msg.binary ? binaryPartsToBase64(msg.data) : msg.data,
      })),
    });
    // The edge's view of an own mailbox takes the messages as stored (another account's keeps a \Seen per reader).
    if (!target.owner)
      ctx.views?.ownWrite(
        session.principal!,
        { mailboxId: res.mailboxId, owner: '' },
        { highestmodseq: res.modseq, changed: [], expunged: [], appended: res },
      );
    // Appending to the selected mailbox: its EXISTS goes out before the OK.
    const mb = session.selected;
    if (mb?.mailboxId === res.mailboxId) {
      // The flags as sent: enough to announce the keywords they bring (the next sync shows no flags of new messages).
      const changed = res.uids.map((uid, i) => ({ uid, modseq: res.modseq, flags: messages[i]?.flags ?? [] }));
      if (res.claimedFirst) mb.addRecent(res.claimedFirst, res.claimedLast);
      const status = { highestmodseq: res.modseq, uidnext: res.uids[res.uids.length - 1]! + 1 };
      mb.ownChange({ status, changed, expunged: [], recentClaimed: claimRecent });
    }
    return { code: `APPENDUID ${res.uidvalidity} ${formatUidSet(res.uids)}`, text: 'APPEND completed' };
  },
});
