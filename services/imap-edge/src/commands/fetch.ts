// FETCH and UID FETCH: what to ask the mailbox service for the items
// requested, the header cache's part (fetch-cache.ts), and the response
// written as the pages arrive (fetch-response.ts, or fetch-columns.ts for
// metadata-only FETCHes), with back-pressure from the client's socket.
import { UnknownCteError } from '@kimap/common/mime/index';
import { int64At } from '@kimap/common/columns';
import type { MessageColumns__Output } from '@kimap/common/generated/mail/v1/MessageColumns';
import type { FetchedMessage, FetchQuery } from '../backend.js';
import { EncodeError, type CommandParser, type SequenceSet } from '../protocol/index.js';
import type { SelectedMailbox } from '../selected.js';
import { defineCommand, ImapBad, ImapNo, SELECTED } from './command.js';
import { enableCondstore } from './condstore.js';
import type { CommandContext } from './context.js';
import { planCachedFetch } from './fetch-cache.js';
import { ColumnLineWriter, columnItems, InvalidStoredFlag } from './fetch-columns.js';
import { writeMailboxFlags } from './flags.js';
import { fetchSetsSeen, isTopHeader, parseFetchAttributes, type FetchItem, type FetchMacro } from './fetch-items.js';
import { FetchedView, writeItem } from './fetch-response.js';
import { writeVanishedEarlier } from './select.js';
import { resolveUids } from './sequence.js';

/** Takes note of the newest message state a page from the service shows (SelectedMailbox.shownModseq). */
function noteShown(mb: SelectedMailbox, received: readonly FetchedMessage[], columns: MessageColumns__Output | undefined): void {
  let max = 0;
  if (columns) for (let i = 0; i < columns.count; i++) max = Math.max(max, int64At(columns.modseqs, i));
  for (const m of received) max = Math.max(max, m.modseq);
  mb.noteShown(max);
}

/** What the mailbox service has to send for these items. */
function serviceData(items: FetchItem[]): { raw: boolean; header: boolean; structure: boolean; envelope: boolean } {
  let raw = false;
  let structure = false;
  let envelope = false;
  // Header sections alone (the usual message-list FETCH): the header block will do.
  const header = items.some(isTopHeader);
  for (const i of items) {
    if (isTopHeader(i)) continue;
    switch (i.kind) {
      case 'rfc822':
        raw = true;
        break;
      case 'body':
        raw = true;
        // The whole message needs no structure; any section does.
        if (i.section.part.length > 0 || i.section.text !== undefined) structure = true;
        break;
      case 'rfc822.text':
      case 'binary':
      case 'binary.size':
        raw = true;
        structure = true;
        break;
      case 'bodystructure':
      case 'bodystructure-basic':
        structure = true;
        break;
      case 'envelope':
        envelope = true;
        break;
      default:
        break;
    }
  }
  return raw ? { raw, header: false, structure: structure || header, envelope } : { raw, header, structure, envelope };
}

export interface FetchArgs {
  readonly uid: boolean;
  readonly sequenceSet: SequenceSet;
  /**
   * Requested items, macros expanded. Items the protocol makes implicit are
   * added: UID for UID FETCH (RFC 9051 §6.4.9), MODSEQ with CHANGEDSINCE
   * (RFC 7162 §3.1.4.1).
   */
  readonly items: FetchItem[];
  readonly macro?: FetchMacro;
  /** `(CHANGEDSINCE n)` modifier. */
  readonly changedSince?: bigint;
  /** `(VANISHED)` modifier (QRESYNC; only valid with UID FETCH and CHANGEDSINCE). */
  readonly vanished: boolean;
}

/** `FETCH SP sequence-set SP (macro / fetch-att / "(" fetch-att *(SP fetch-att) ")") [SP fetch-modifiers]`. */
export function parseFetch(p: CommandParser, name: string): FetchArgs {
  const uid = name === 'UID FETCH';
  p.expectSP();
  const sequenceSet = p.expectSequenceSet();
  p.expectSP();
  const { items, macro } = parseFetchAttributes(p);
  let changedSince: bigint | undefined;
  let vanished = false;
  if (p.trySP()) {
    p.expectList(
      (q) => {
        if (q.tryKeyword('CHANGEDSINCE')) {
          q.expectSP();
          changedSince = q.expectNumber64();
        } else if (q.tryKeyword('VANISHED')) {
          vanished = true;
        } else {
          q.fail('Unsupported FETCH modifier');
        }
      },
      { allowEmpty: false },
    );
  }
  p.expectEnd();
  // RFC 7162 §3.2.6: VANISHED is only valid in UID FETCH together with CHANGEDSINCE.
  if (vanished && (!uid || changedSince === undefined)) p.fail('VANISHED requires UID FETCH with CHANGEDSINCE');
  if (uid && !items.some((i) => i.kind === 'uid')) items.unshift({ kind: 'uid' });
  if (changedSince !== undefined && !items.some((i) => i.kind === 'modseq')) items.push({ kind: 'modseq' });
  return { uid, sequenceSet, items, ...(macro && { macro }), ...(changedSince !== undefined && { changedSince }), vanished };
}

export const fetch = defineCommand({
  names: ['FETCH', 'UID FETCH'],
  states: SELECTED,
  capabilities: ['BINARY'],
  expungeAllowed: false,
  parse: parseFetch,
  async run(ctx: CommandContext, cmd) {
    const { session, enc } = ctx;
    const mb = session.selected!;
    const { items } = cmd.args;
    if (cmd.args.changedSince !== undefined || items.some((i) => i.kind === 'modseq')) enableCondstore(ctx);
    if (cmd.args.vanished) {
      if (!session.qresync) throw new ImapBad('VANISHED needs QRESYNC to be enabled');
      const since = Number(cmd.args.changedSince);
      const changes = await ctx.backend.changes(session.principal!, mb, since);
      writeVanishedEarlier(ctx, mb, changes, since, cmd.args.sequenceSet);
    }
    const uids = resolveUids(mb, cmd.args.sequenceSet, cmd.args.uid, ctx.session.savedSearch);
    if (uids.ranges.length === 0) return { text: `${cmd.name} completed` };
    const markSeen = !mb.readOnly && items.some(fetchSetsSeen);
    // The FLAGS of a message whose \Seen this FETCH sets are sent with it.
    let withFlags = markSeen && !items.some((i) => i.kind === 'flags') ? [...items, { kind: 'flags' } as FetchItem] : items;
    if (markSeen && session.condstore && !withFlags.some((i) => i.kind === 'modseq')) withFlags = [...withFlags, { kind: 'modseq' }];
    const need = serviceData(items);
    const showsFlags = withFlags.some((i) => i.kind === 'flags');
    const query: FetchQuery = {
      owner: mb.owner,
      mailboxId: mb.mailboxId,
      uids: uids.ranges,
      flags: true,
      internalDate: items.some((i) => i.kind === 'internaldate'),
      size: items.some((i) => i.kind === 'rfc822.size'),
      // Metadata only: the service answers in columns and leaves out what is not asked for.
      columns: !markSeen && columnItems(withFlags),
      // With flags, their MODSEQ too: what the session was shown (see noteShown).
      modseq: showsFlags || withFlags.some((i) => i.kind === 'modseq'),
      raw: need.raw,
      header: need.header,
      bodyStructure: need.structure,
      envelope: need.envelope,
      markSeen,
      changedSince: cmd.args.changedSince !== undefined ? Number(cmd.args.changedSince) : 0,
    };
    // Headers (envelopes, structures) and message text this edge has already fetched: only what can change is asked for.
    const cached = planCachedFetch(ctx, mb, uids.ranges, query);
    // Flags read after the session's last sync may hold a keyword it was not told of yet (beforeFlags).
    try {
      const beforeFlags = (flags: string[], flushLines: () => void) => {
        if (!mb.learnKeywords(flags)) return;
        flushLines();
        writeMailboxFlags(enc, mb);
      };
      const columnWriter =
        cached.request.columns && !cached.hit
          ? new ColumnLineWriter(withFlags, (chunk) => enc.rawBytes(chunk), showsFlags ? beforeFlags : undefined)
          : undefined;
      const wanted = (uid: number) => uids.has(uid);
      const seqOf = (uid: number) => mb.seqOf(uid);
      // \Recent is the session's, not stored: it is added to the FLAGS of its messages.
      const recent = mb.recentRanges.length ? (uid: number) => mb.isRecent(uid) : undefined;
      const onBatch = (received: FetchedMessage[], columns: MessageColumns__Output | undefined) => {
        if (columns && columnWriter) {
          columnWriter.page(columns, seqOf, wanted, recent);
          columnWriter.flush();
        }
        for (const m of cached.messagesOf(received, columns)) {
          // Only messages this session has been told about (EXISTS) are reported.
          const seq = mb.seqOf(m.uid);
          if (!seq || !uids.has(m.uid)) continue;
          const view = new FetchedView(recent?.(m.uid) ? { ...m, flags: mb.flagsOf(m.uid, m.flags) } : m);
          // Decode first: a failure must not leave half a FETCH line behind.
          for (const item of withFlags) if (item.kind === 'binary') view.binary(item.part);
          if (showsFlags && mb.learnKeywords(m.flags)) writeMailboxFlags(enc, mb);
          enc.untagged().number(seq).raw(' FETCH (');
          for (let i = 0; i < withFlags.length; i++) {
            if (i) enc.sp();
            writeItem(enc, withFlags[i]!, view, markSeen, session.utf8);
          }
          enc.raw(')').crlf();
          // This session reported the \Seen it set: the next sync need not repeat it.
          if (markSeen) mb.noteOwnChange([{ uid: m.uid, modseq: m.modseq }]);
        }
        const err = enc.flush();
        if (err) throw err;
        return ctx.conn.drain();
      };
      // The edge's view of the mailbox answers metadata while the feed is current; else the service.
      const answered = ctx.views ? await ctx.views.fetch(session.principal!, mb, cached.request, onBatch) : false;
      if (!answered) {
        await ctx.backend.fetch(session.principal!, cached.request, (received, columns) => {
          // What the service shows may be newer than the session's MODSEQ: a view answering later must not be older.
          noteShown(mb, received, columns);
          return onBatch(received, columns);
        });
      }
    } catch (err) {
      if (err instanceof UnknownCteError) throw new ImapNo('UNKNOWN-CTE', err.message);
      if (err instanceof InvalidStoredFlag) throw new EncodeError('Invalid flag');
      throw err;
    }
    return { text: `${cmd.name} completed` };
  },
});
