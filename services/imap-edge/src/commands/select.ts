import { SelectedMailbox } from '../selected.js';
import { AUTHENTICATED, type CommandHandler } from './context.js';
import { mailboxFromWire, mailboxToWire } from './names.js';

const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

export const select: CommandHandler<'SELECT' | 'EXAMINE'> = {
  names: ['SELECT', 'EXAMINE'],
  states: AUTHENTICATED,
  async run(ctx, cmd) {
    const { session, enc } = ctx;
    const rev2 = session.enabled.has('IMAP4REV2');
    // Leaving a mailbox: clients that know CLOSED (IMAP4rev2, QRESYNC) are told
    // where the old mailbox's responses end (RFC 9051 7.1).
    if (session.selected && (rev2 || session.enabled.has('QRESYNC'))) enc.status(null, 'OK', 'Previous mailbox closed', 'CLOSED');
    // A failed SELECT leaves no mailbox selected (RFC 9051 6.3.2).
    ctx.deselect();
    const name = mailboxFromWire(session, cmd.args.mailbox);
    const { status, uids } = await ctx.backend.select(session.principal!, name);
    const readOnly = cmd.args.readOnly;
    const mb = new SelectedMailbox(status.mailboxId, status.name, status.uidvalidity, uids, status.highestmodseq, status.uidnext, readOnly);
    const flags = [...SYSTEM_FLAGS, ...status.keywords];
    enc.untagged().raw('FLAGS ').flags(flags).crlf();
    enc.untagged().raw('OK [PERMANENTFLAGS ').flags(readOnly ? [] : [...flags, '\\*']).raw('] Flags permitted').crlf();
    enc.untagged().number(mb.exists).raw(' EXISTS').crlf();
    if (rev2) {
      enc.untagged().raw(`LIST (${status.specialUse}) `).quoted('/').sp().astring(mailboxToWire(session, status.name)).crlf();
    } else {
      enc.untagged().raw('0 RECENT').crlf();
    }
    enc.status(null, 'OK', 'UIDs valid', `UIDVALIDITY ${mb.uidvalidity}`);
    enc.status(null, 'OK', 'Predicted next UID', `UIDNEXT ${mb.uidnext}`);
    enc.status(null, 'OK', 'Highest', `HIGHESTMODSEQ ${mb.highestModseq}`);
    session.selected = mb;
    session.state = 'selected';
    session.dirty = false;
    session.lastSync = Date.now();
    return { code: readOnly ? 'READ-ONLY' : 'READ-WRITE', text: `${cmd.name} completed` };
  },
};
