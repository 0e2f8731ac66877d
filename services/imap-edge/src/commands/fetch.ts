// FETCH and UID FETCH. Message data comes from the mailbox service as stored;
// ENVELOPE and BODYSTRUCTURE are rendered from the structure computed at
// APPEND, and sections are cut from the raw bytes with it.
import {
  binarySize, decodePart, formatBodyStructure, formatEnvelope, headerFields, parseMessage, sectionBytes, UnknownCteError,
  type Envelope, type MessageStructure,
} from '@kimap/common/mime/index';
import type { FetchedMessage, FetchQuery } from '../backend.js';
import { EncodeError, formatDateTime, type CommandParser, type ResponseEncoder, type SequenceSet } from '../protocol/index.js';
import { defineCommand, ImapBad, ImapNo, SELECTED } from './command.js';
import type { CommandContext } from './context.js';
import { ColumnLineWriter, columnItems, InvalidStoredFlag } from './fetch-columns.js';
import { fetchResponseName, fetchSetsSeen, parseFetchAttributes, type FetchItem, type FetchMacro } from './fetch-items.js';
import { writeVanishedEarlier } from './select.js';
import { resolveUids } from './sequence.js';
import { flagLines, flagsOfLine, int64At } from '@kimap/common/columns';
import type { MessageColumns__Output } from '@kimap/common/generated/mail/v1/MessageColumns';
import type { CachedMessage, CachedParts, HeaderCache } from '../header-cache.js';
import type { SelectedMailbox } from '../selected.js';

/** A section of the top-level header, which the header block alone answers. */
function isTopHeader(i: FetchItem): boolean {
  if (i.kind === 'rfc822.header') return true;
  if (i.kind !== 'body' || i.section.part.length > 0) return false;
  const t = i.section.text;
  return t === 'HEADER' || t === 'HEADER.FIELDS' || t === 'HEADER.FIELDS.NOT';
}

/** What the mailbox service has to send for these items. */
function needs(items: FetchItem[]): { raw: boolean; header: boolean; structure: boolean; envelope: boolean } {
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

/** A top-level header section cut from the header block the service sent. */
function headerSection(header: Buffer, item: FetchItem): Buffer {
  if (item.kind !== 'body' || item.section.text === 'HEADER') return header;
  return headerFields(header, item.section.fields ?? [], item.section.text === 'HEADER.FIELDS.NOT');
}

/** Per message: the parsed structure, once, however many items use it. */
class MessageView {
  private parsed?: MessageStructure;
  constructor(readonly m: FetchedMessage) {}

  get structure(): MessageStructure {
    if (!this.parsed) this.parsed = this.m.bodyStructure ?? parseMessage(this.m.raw);
    return this.parsed;
  }

  private readonly decoded = new Map<string, Buffer>();

  /** BINARY data of a part; throws UnknownCteError for an encoding that cannot be undone. */
  binary(part: readonly number[]): Buffer {
    const key = part.join('.');
    let data = this.decoded.get(key);
    if (!data) this.decoded.set(key, (data = decodePart(this.m.raw, this.structure, part) ?? Buffer.alloc(0)));
    return data;
  }

  get envelope(): Envelope {
    return this.m.envelope ?? this.structure.envelope;
  }
}

/** A preformatted IMAP value (may contain literals) written as is. */
function writeFormatted(enc: ResponseEncoder, text: string): void {
  if (/[\r\n]/.test(text)) enc.rawBytes(Buffer.from(text, 'utf8'));
  else enc.raw(text);
}

function applyPartial(data: Buffer, partial?: { offset: number; length: number }): Buffer {
  if (!partial) return data;
  return data.subarray(Math.min(partial.offset, data.length), Math.min(partial.offset + partial.length, data.length));
}

function writeItem(enc: ResponseEncoder, item: FetchItem, v: MessageView, seen: boolean, utf8: boolean): void {
  const m = v.m;
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
    case 'envelope':
      enc.raw('ENVELOPE ');
      writeFormatted(enc, formatEnvelope(v.envelope, { utf8 }));
      return;
    case 'bodystructure':
    case 'bodystructure-basic':
      enc.raw(item.kind === 'bodystructure' ? 'BODYSTRUCTURE ' : 'BODY ');
      writeFormatted(enc, formatBodyStructure(v.structure, item.kind === 'bodystructure', { utf8 }));
      return;
    case 'rfc822':
      enc.raw('RFC822 ').literal(m.raw);
      return;
    case 'rfc822.header':
      enc.raw('RFC822.HEADER ').literal(m.header.length || !m.raw.length ? m.header : (sectionBytes(m.raw, v.structure, [], 'HEADER') ?? Buffer.alloc(0)));
      return;
    case 'rfc822.text':
      enc.raw('RFC822.TEXT ').literal(sectionBytes(m.raw, v.structure, [], 'TEXT') ?? Buffer.alloc(0));
      return;
    case 'body': {
      const { part, text, fields } = item.section;
      const whole = part.length === 0 && text === undefined;
      // A section the message does not have is an empty string, as Dovecot answers.
      const data = whole
        ? m.raw
        : !m.raw.length && isTopHeader(item)
          ? headerSection(m.header, item)
          : (sectionBytes(m.raw, v.structure, part, text, fields) ?? Buffer.alloc(0));
      enc.raw(fetchResponseName(item) + ' ').literal(applyPartial(data, item.partial));
      return;
    }
    case 'binary': {
      const data = v.binary(item.part);
      enc.raw(fetchResponseName(item) + ' ');
      const out = applyPartial(data, item.partial);
      enc.literal(out, out.includes(0));
      return;
    }
    case 'binary.size':
      enc.raw(fetchResponseName(item) + ' ').number(binarySize(m.raw, v.structure, item.part) ?? 0);
      return;
  }
}

/** A FETCH whose messages can all be held in the header cache: at most this many UIDs wide. */
const MAX_CACHED_FETCH = 1000;

/** What the cache would have to hold: top-level header sections, ENVELOPE, BODYSTRUCTURE (see needs()); undefined: not for the cache (message text, or \Seen set). */
function cachedParts(q: FetchQuery): CachedParts | undefined {
  if (q.raw || q.markSeen || !(q.header || q.envelope || q.bodyStructure)) return undefined;
  return { header: Boolean(q.header), envelope: Boolean(q.envelope), structure: Boolean(q.bodyStructure) };
}

/** The UIDs the session knows in the ranges; undefined when they span too many to look up. */
function knownUids(mb: SelectedMailbox, ranges: ReadonlyArray<{ first: number; last: number }>): number[] | undefined {
  let width = 0;
  for (const r of ranges) width += r.last - r.first + 1;
  if (width > MAX_CACHED_FETCH) return undefined;
  return ranges.flatMap((r) => mb.uidsInRange(r.first, r.last));
}

/** The messages of a page of columns (UIDs still there, flags, MODSEQs) with what the cache held of them. */
function fromCache(held: ReadonlyMap<number, CachedMessage>, cols: MessageColumns__Output): FetchedMessage[] {
  const lines = flagLines(cols.flags, cols.count);
  const out: FetchedMessage[] = [];
  for (let i = 0; i < cols.count; i++) {
    const uid = int64At(cols.uids, i);
    // A message the session does not know yet: not reported by this FETCH.
    const c = held.get(uid);
    if (!c) continue;
    out.push({
      uid,
      modseq: cols.modseqs.length ? int64At(cols.modseqs, i) : 0,
      flags: flagsOfLine(lines[i] ?? ''),
      internalDateMs: c.internalDateMs,
      size: c.size,
      header: c.header ?? EMPTY,
      raw: EMPTY,
      ...(c.envelope && { envelope: c.envelope }),
      ...(c.bodyStructure && { bodyStructure: c.bodyStructure }),
    });
  }
  return out;
}

const EMPTY = Buffer.alloc(0);

/** Keeps what a batch the service sent has of each message (never message text). */
function keep(cache: HeaderCache, mailboxId: number, uidvalidity: number, batch: readonly FetchedMessage[]): void {
  for (const m of batch) {
    if (m.raw.length) continue;
    const value: CachedMessage = { size: m.size, internalDateMs: m.internalDateMs };
    if (m.header.length) value.header = m.header;
    if (m.envelope) value.envelope = m.envelope;
    if (m.bodyStructure) value.bodyStructure = m.bodyStructure;
    if (value.header || value.envelope || value.bodyStructure) cache.put(mailboxId, uidvalidity, m.uid, value);
  }
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
    if (markSeen && session.condstore && !withFlags.some((i) => i.kind === 'modseq')) withFlags = [...withFlags, { kind: 'modseq' }];
    const need = needs(items);
    const query: FetchQuery = {
      mailboxId: mb.mailboxId,
      uids: uids.ranges,
      flags: true,
      internalDate: items.some((i) => i.kind === 'internaldate'),
      size: items.some((i) => i.kind === 'rfc822.size'),
      // Metadata only: the service answers in columns and leaves out what is not asked for.
      columns: !markSeen && columnItems(withFlags),
      modseq: withFlags.some((i) => i.kind === 'modseq'),
      raw: need.raw,
      header: need.header,
      bodyStructure: need.structure,
      envelope: need.envelope,
      markSeen,
      changedSince: cmd.args.changedSince !== undefined ? Number(cmd.args.changedSince) : 0,
    };
    // Headers (envelopes, structures) this edge has already fetched: only what can change is asked for.
    const parts = ctx.headers ? cachedParts(query) : undefined;
    const cache = parts ? ctx.headers : undefined;
    // (A FETCH of no message the session knows is left as it is.)
    const known = cache ? knownUids(mb, uids.ranges) : undefined;
    const held = cache && known?.length ? cache.take(mb.mailboxId, mb.uidvalidity, known, parts!) : undefined;
    if (cache && known?.length) cache.noteFetch(held !== undefined);
    const cached = held !== undefined;
    const sent: FetchQuery = cached ? { ...query, header: false, envelope: false, bodyStructure: false, size: false, internalDate: false, columns: true } : query;
    try {
      const columnWriter = sent.columns && !cached ? new ColumnLineWriter(withFlags, (chunk) => enc.rawBytes(chunk)) : undefined;
      const wanted = (uid: number) => uids.has(uid);
      const seqOf = (uid: number) => mb.seqOf(uid);
      await ctx.backend.fetch(session.principal!, sent, (received, columns) => {
        if (columns && columnWriter) {
          columnWriter.page(columns, seqOf, wanted);
          columnWriter.flush();
        }
        let batch = received;
        if (held && columns) batch = fromCache(held, columns);
        else if (cache && known?.length) keep(cache, mb.mailboxId, mb.uidvalidity, received);
        for (const m of batch) {
          // Only messages this session has been told about (EXISTS) are reported.
          const seq = mb.seqOf(m.uid);
          if (!seq || !uids.has(m.uid)) continue;
          const view = new MessageView(m);
          // Decode first: a failure must not leave half a FETCH line behind.
          for (const item of withFlags) if (item.kind === 'binary') view.binary(item.part);
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
      });
    } catch (err) {
      if (err instanceof UnknownCteError) throw new ImapNo('UNKNOWN-CTE', err.message);
      if (err instanceof InvalidStoredFlag) throw new EncodeError('Invalid flag');
      throw err;
    }
    return { text: `${cmd.name} completed` };
  },
});
