// COPY, MOVE (RFC 6851) and their UID forms, answering COPYUID (RFC 4315).
import { formatUidSet, type CommandParser, type SequenceSet } from '../protocol/index.js';
import { defineCommand, ImapNo, SELECTED } from './command.js';
import { targetFromWire } from './names.js';
import { resolveUids } from './sequence.js';

export interface CopyArgs {
  readonly uid: boolean;
  readonly sequenceSet: SequenceSet;
  readonly mailbox: string;
}

/** COPY and MOVE: `SP sequence-set SP mailbox`. */
export function parseCopy(p: CommandParser, name: string): CopyArgs {
  p.expectSP();
  const sequenceSet = p.expectSequenceSet();
  p.expectSP();
  const mailbox = p.expectMailbox();
  p.expectEnd();
  return { uid: name.startsWith('UID '), sequenceSet, mailbox };
}

export const copy = defineCommand({
  names: ['COPY', 'UID COPY', 'MOVE', 'UID MOVE'],
  states: SELECTED,
  capabilities: ['MOVE'],
  parse: parseCopy,
  async run(ctx, cmd) {
    const { session, enc } = ctx;
    const mb = session.selected!;
    const move = cmd.name.endsWith('MOVE');
    if (move && mb.readOnly) throw new ImapNo('READ-ONLY', 'Mailbox is read-only');
    const sel = resolveUids(mb, cmd.args.sequenceSet, cmd.args.uid, ctx.session.savedSearch);
    const dest = targetFromWire(session, cmd.args.mailbox);
    if (sel.ranges.length === 0) {
      // Nothing to copy still needs an existing destination (TRYCREATE otherwise).
      await ctx.backend.status(session.principal!, dest).catch((err: unknown) => {
        throw err instanceof Error && 'imapCode' in err && (err as { imapCode?: string }).imapCode === 'NONEXISTENT'
          ? new ImapNo('TRYCREATE', 'Destination mailbox does not exist')
          : err;
      });
      return { text: `${cmd.name} completed` };
    }
    const res = await ctx.backend.copy(session.principal!, mb, sel.ranges, dest, move);
    const copyuid = res.sourceUids.length
      ? `COPYUID ${res.uidvalidity} ${formatUidSet(res.sourceUids)} ${formatUidSet(res.destinationUids)}`
      : undefined;
    // Copied into the selected mailbox: its EXISTS goes out before the OK.
    if (dest.owner === mb.owner && dest.name === mb.name) session.dirty = true;
    if (!move) return { ...(copyuid ? { code: copyuid } : {}), text: `${cmd.name} completed` };
    // RFC 6851: COPYUID goes in an untagged OK before the EXPUNGEs.
    if (copyuid) enc.status(null, 'OK', 'Moved', copyuid);
    await ctx.sync({ allowExpunge: true, force: true });
    return { text: `${cmd.name} completed` };
  },
});
