import type { FetchedMessage, FetchQuery } from '../backend.js';
import { fetchResponseName, fetchSetsSeen, formatDateTime, type FetchItem, type ResponseEncoder } from '../protocol/index.js';
import { ImapBad, ImapNo, SELECTED, type CommandContext, type CommandHandler } from './context.js';
import { applyPartial, sectionBytes } from './sections.js';
import { writeVanishedEarlier } from './select.js';
import { resolveUids } from './sequence.js';

const NOT_YET = new Set(['envelope', 'bodystructure', 'bodystructure-basic', 'binary.size']);

function needs(items: FetchItem[]) {
  let raw = false;
  for (const i of items) {
    if (i.kind === 'body' || i.kind === 'binary' || i.kind === 'rfc822' || i.kind === 'rfc822.header' || i.kind === 'rfc822.text') raw = true;
  }
  return { raw };
}

function writeItem(enc: ResponseEncoder, item: FetchItem, m: FetchedMessage, seen: boolean): void {
  switch (item.kind) {
    case 'uid':
      enc.raw('UID ').number(m.uid);
      return;
    case 'flags':
      enc.raw('FLAGS ').flags(seen && !m.flags.includes('\\Seen') ? [...m.flags, '\\Seen'] : m.flags);
      return;
    case 'internaldate':
      enc.raw('INTERNALDATE "' + formatDateTime(new Date(m.internalDateMs)) + '"');
      return;
    case 'rfc822.size':
      enc.raw('RFC822.SIZE ').number(m.size);
      return;
    case 'modseq':
      enc.raw('MODSEQ (').number(m.modseq).raw(')');
      return;
    case 'rfc822':
      enc.raw('RFC822 ').literal(m.raw);
      return;
    case 'rfc822.header':
      enc.raw('RFC822.HEADER ').literal(sectionBytes(m.raw, { part: [], text: 'HEADER' }) ?? Buffer.alloc(0));
      return;
    case 'rfc822.text':
      enc.raw('RFC822.TEXT ').literal(sectionBytes(m.raw, { part: [], text: 'TEXT' }) ?? Buffer.alloc(0));
      return;
    case 'body': {
      const data = sectionBytes(m.raw, item.section);
      enc.raw(fetchResponseName(item) + ' ');
      if (data === null) enc.nil();
      else enc.literal(applyPartial(data, item.partial));
      return;
    }
    case 'binary': {
      enc.raw(fetchResponseName(item) + ' ');
      const data = item.part.length === 0 ? m.raw : null;
      if (data === null) enc.nil();
      else enc.literal(applyPartial(data, item.partial), data.includes(0));
      return;
    }
    default:
      throw new ImapBad(`${item.kind.toUpperCase()} is not supported yet`);
  }
}

export const fetch: CommandHandler<'FETCH' | 'UID FETCH'> = {
  names: ['FETCH', 'UID FETCH'],
  states: SELECTED,
  expungeAllowed: false,
  async run(ctx: CommandContext, cmd) {
    const { session, enc } = ctx;
    const mb = session.selected!;
    const { items } = cmd.args;
    const unsupported = items.find((i) => NOT_YET.has(i.kind));
    if (unsupported) throw new ImapNo('CANNOT', `${unsupported.kind.toUpperCase()} is not supported yet`);
    // Using CONDSTORE turns it on for the session (RFC 7162 3.1).
    if (cmd.args.changedSince !== undefined || items.some((i) => i.kind === 'modseq')) session.enabled.add('CONDSTORE');
    if (cmd.args.vanished) {
      if (!session.qresync) throw new ImapBad('VANISHED needs QRESYNC to be enabled');
      const since = Number(cmd.args.changedSince);
      const changes = await ctx.backend.changes(session.principal!, mb.mailboxId, since);
      writeVanishedEarlier(ctx, mb, changes, since, cmd.args.sequenceSet);
    }
    const uids = resolveUids(mb, cmd.args.sequenceSet, cmd.args.uid, ctx.session.savedSearch);
    if (uids.ranges.length === 0) return { text: `${cmd.name} completed` };
    const markSeen = !mb.readOnly && items.some(fetchSetsSeen);
    // The FLAGS of a message whose \Seen this FETCH sets are sent with it.
    let withFlags = markSeen && !items.some((i) => i.kind === 'flags') ? [...items, { kind: 'flags' } as FetchItem] : items;
    if (markSeen && session.condstore && !withFlags.some((i) => i.kind === 'modseq')) withFlags = [...withFlags, { kind: 'modseq' } as FetchItem];
    const query: FetchQuery = {
      mailboxId: mb.mailboxId,
      uids: uids.ranges,
      flags: true,
      internalDate: true,
      size: true,
      raw: needs(items).raw,
      markSeen,
      changedSince: cmd.args.changedSince !== undefined ? Number(cmd.args.changedSince) : 0,
    };
    await ctx.backend.fetch(session.principal!, query, async (m) => {
      // Only messages this session has been told about (EXISTS) are reported.
      const seq = mb.seqOf(m.uid);
      if (!seq || !uids.has(m.uid)) return;
      enc.untagged().number(seq).raw(' FETCH (');
      withFlags.forEach((item, i) => {
        if (i) enc.sp();
        writeItem(enc, item, m, markSeen);
      });
      enc.raw(')').crlf();
      const err = enc.flush();
      if (err) throw err;
      await ctx.conn.drain();
    });
    return { text: `${cmd.name} completed` };
  },
};
