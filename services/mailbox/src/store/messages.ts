// Messages in mailboxes. UIDs and MODSEQs are allocated by one UPDATE of the
// mailbox row, which locks it: concurrent writers to one mailbox, whatever
// process they run in, queue on that row and get strictly ascending values.
import { createHash } from 'node:crypto';
import type { Queryable } from '@kimap/common';
import { canonicalFlag, toBuffer } from '@kimap/common';
import { flagsOfLine } from '@kimap/common/columns';
import { parseMessage, searchText, toCrlf } from '@kimap/common/mime/index';
import type { AppendItem__Output } from '@kimap/common/generated/mail/v1/AppendItem';
import type { AppendResponse__Output } from '@kimap/common/generated/mail/v1/AppendResponse';
import type { FetchedMessage__Output } from '@kimap/common/generated/mail/v1/FetchedMessage';
import type { FetchRequest__Output } from '@kimap/common/generated/mail/v1/FetchRequest';
import type { MessageColumns__Output } from '@kimap/common/generated/mail/v1/MessageColumns';
import { fromWriteFunction } from './errors.js';
import { normalizeMailboxName } from './names.js';
import { recorded, type RecordedEvent } from './outbox.js';
import { BODIES_JOIN, claimedRange, foldCase, readerFlags, uidRangeCondition, type UidRange } from './sql.js';

/** A message to store, as AppendRequest carries it: `internalDateMs` 0 means now. */
export type AppendItem = AppendItem__Output;

export interface AppendInput extends AppendItem {
  accountId: number;
  mailbox: string;
}

export interface AppendResult {
  mailboxId: number;
  uidvalidity: number;
  uid: number;
  modseq: number;
}

/** What AppendResponse carries, and the outbox event of the change. */
export interface AppendManyResult extends AppendResponse__Output {
  event?: RecordedEvent;
}

/** Removes duplicates and \Recent (never stored); keeps keyword case as given. */
export function cleanFlags(flags: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of flags) {
    const key = f.toLowerCase();
    if (key === '\\recent' || seen.has(key)) continue;
    seen.add(key);
    out.push(canonicalFlag(f));
  }
  return out;
}

/** PostgreSQL text and jsonb cannot hold NUL characters. */
const noNul = (s: string): string => s.replaceAll('\0', '');
/** A value as stored in a jsonb column. */
export const jsonColumn = (v: unknown): string => JSON.stringify(v).replaceAll('\\u0000', '');
/** Search text as stored (search_header, search_body): case-folded, without NULs. */
export const searchColumn = (text: string): string => foldCase(noNul(text));

/**
 * A message as kimap_append stores it, computed once: the bytes with CRLF
 * line ends (what FETCH serves, RFC822.SIZE and quota agree), their SHA-256
 * (bodies are stored once per account by it), and the parsed columns.
 */
export interface PreparedMessage {
  raw: Buffer;
  hash: Buffer;
  headerSize: number;
  envelopeJson: string;
  structureJson: string;
  searchHeader: string;
  searchBody: string;
}

/** Parses a message once for storing: ENVELOPE, BODYSTRUCTURE and the searchable text. */
export function prepareMessage(message: Buffer): PreparedMessage {
  const raw = toCrlf(message);
  const structure = parseMessage(raw);
  const text = searchText(raw, structure);
  return {
    raw,
    hash: createHash('sha256').update(raw).digest(),
    headerSize: structure.root.headerEnd,
    envelopeJson: jsonColumn(structure.envelope),
    structureJson: jsonColumn(structure),
    searchHeader: searchColumn(text.header),
    searchBody: searchColumn(text.body),
  };
}

/** A prepared message with what one copy of it gets: `internalDateMs` 0 means now. */
export interface PreparedItem {
  message: PreparedMessage;
  flags: string[];
  internalDateMs: number;
}

/** Stores one message (APPEND). */
export async function appendMessage(db: Queryable, input: AppendInput): Promise<AppendResult> {
  const r = await appendMessages(db, input.accountId, input.mailbox, [input]);
  return { mailboxId: r.mailboxId, uidvalidity: r.uidvalidity, uid: r.uids[0]!, modseq: r.modseq };
}

/**
 * Stores messages in one mailbox, all or nothing (MULTIAPPEND), in one
 * statement: one update of the mailbox row allocates their UIDs and one
 * MODSEQ, one quota check covers them all, and the outbox row is written with
 * them. ENVELOPE, BODYSTRUCTURE and the searchable text are computed here,
 * once per message.
 */
export function appendMessages(
  db: Queryable,
  accountId: number,
  mailbox: string,
  items: AppendItem[],
  opts: { claimRecent?: boolean } = {},
): Promise<AppendManyResult> {
  return appendPrepared(
    db,
    accountId,
    mailbox,
    items.map((i) => ({ message: prepareMessage(i.message), flags: i.flags, internalDateMs: i.internalDateMs })),
    opts,
  );
}

/**
 * appendMessages for messages already prepared (delivery prepares one message
 * for many accounts). With `claimRecent` (a read-write IMAP4rev1 session that
 * has the mailbox selected) the same statement claims the unclaimed messages
 * as \Recent for it, after kimap_append has stored these.
 */
export async function appendPrepared(
  db: Queryable,
  accountId: number,
  mailbox: string,
  items: PreparedItem[],
  opts: { claimRecent?: boolean } = {},
): Promise<AppendManyResult> {
  const messages = items.map((i) => i.message);
  const now = Date.now();
  const dates = items.map((i) => i.internalDateMs || now);
  const flags = items.map((i) => cleanFlags(i.flags));
  let row:
    { mailbox_id: number; uidvalidity: number; first_uid: number; modseq: number; event_id: number; claimed?: number[] | null } | undefined;
  const sql = opts.claimRecent
    ? 'SELECT a.*, kimap_claim_recent($1, a.mailbox_id) AS claimed FROM kimap_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) a'
    : 'SELECT * FROM kimap_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)';
  try {
    ({
      rows: [row],
    } = await db.query<NonNullable<typeof row>>(sql, [
      accountId,
      normalizeMailboxName(mailbox),
      messages.reduce((t, m) => t + m.raw.length, 0),
      messages.map((m) => m.hash),
      messages.map((m) => m.raw.length),
      messages.map((m) => m.headerSize),
      messages.map((m) => m.raw),
      messages.map((m) => m.envelopeJson),
      messages.map((m) => m.structureJson),
      messages.map((m) => m.searchHeader),
      messages.map((m) => m.searchBody),
      dates.map((d) => new Date(d)),
      flags.map((f) => JSON.stringify(f)),
    ]));
  } catch (err) {
    fromWriteFunction(err, 'TRYCREATE');
  }
  const r = row!;
  return {
    mailboxId: r.mailbox_id,
    uidvalidity: r.uidvalidity,
    uids: items.map((_, i) => r.first_uid + i),
    modseq: r.modseq,
    ...claimedRange(r.claimed),
    sizes: messages.map((m) => m.raw.length),
    internalDatesMs: dates,
    flagLines: flags.map((f) => f.join(' ')),
    event: recorded(accountId, r.mailbox_id, r.modseq, 'append', r.event_id),
  };
}

/**
 * What a FETCH asks of each message (FetchRequest's fields): the raw message,
 * its header block, its BODYSTRUCTURE (the parsed MIME structure, envelope
 * included) or its ENVELOPE alone; only messages changed after `changedSince`
 * (when not 0).
 */
export type FetchOptions = Partial<Pick<FetchRequest__Output, 'raw' | 'header' | 'bodyStructure' | 'envelope' | 'changedSince'>> & {
  /** The flags as this account sees them, when it is not the mailbox's owner (its own \Seen; see readerFlags). */
  reader?: number;
};

/**
 * A message as FetchResponse carries it, field for field; what was not asked
 * for is left out. The structure and the envelope are the JSON stored at
 * APPEND (MessageStructure and Envelope of @kimap/common/mime), passed on as
 * PostgreSQL gives it: the edge parses each once.
 */
export type FetchedMessage = Pick<FetchedMessage__Output, 'uid' | 'modseq' | 'flags' | 'internalDateMs' | 'size'> &
  Partial<Pick<FetchedMessage__Output, 'raw' | 'header' | 'envelopeJson' | 'bodyStructureJson'>>;

interface FetchRow {
  uid: number;
  modseq: number;
  flags: string;
  internalDateMs: number;
  size: number;
  raw?: Uint8Array;
  header?: Uint8Array;
  bodyStructureJson?: string | null;
  envelopeJson?: string | null;
  unparsed?: Uint8Array | null;
}

/**
 * Streams messages in ascending UID order, a page of rows at a time (keyset
 * pagination), so a FETCH of a huge mailbox never holds it all in memory.
 */
export async function* fetchMessagePages(
  db: Queryable,
  accountId: number,
  mailboxId: number,
  ranges: UidRange[],
  opts: FetchOptions,
): AsyncGenerator<FetchedMessage[]> {
  // The structure holds the envelope: with both asked for, the structure alone is sent.
  const structure = Boolean(opts.bodyStructure);
  const envelope = Boolean(opts.envelope) && !structure;
  const wantsMeta = structure || envelope;
  const withBody = Boolean(opts.raw || opts.header || wantsMeta);
  const pageSize = opts.raw ? 50 : withBody ? 500 : 10_000;
  const cond = uidRangeCondition(ranges, 4, 'm.uid');
  // Flags as a flag line (see @kimap/common/columns), split here: cheaper
  // than decoding an array literal per row. Milliseconds as a number:
  // cheaper than a timestamp.
  // Parameters after the ranges': CHANGEDSINCE, then the reader.
  const extra: unknown[] = opts.changedSince ? [opts.changedSince] : [];
  let flags = 'm.flags';
  if (opts.reader) {
    extra.push(opts.reader);
    flags = readerFlags(`$${3 + cond.params.length + extra.length}`);
  }
  const cols = [
    `array_to_string(${flags}, ' ') AS flags`,
    'm.uid',
    'm.modseq',
    'floor(extract(epoch FROM m.internal_date) * 1000)::int8 AS "internalDateMs"',
    'm.size',
  ];
  if (opts.raw) cols.push('b.raw');
  else if (opts.header) cols.push('substring(b.raw from 1 for b.header_size) AS header');
  if (structure) cols.push('b.body_structure::text AS "bodyStructureJson"');
  if (envelope) cols.push('b.envelope::text AS "envelopeJson"');
  // Bodies stored before their structure was computed are parsed on the fly.
  if (wantsMeta && !opts.raw) cols.push('CASE WHEN b.body_structure IS NULL THEN b.raw END AS unparsed');
  const join = withBody ? BODIES_JOIN : '';
  const changed = opts.changedSince ? `AND m.modseq > $${4 + cond.params.length}` : '';
  let after = 0;
  for (;;) {
    const { rows } = await db.query<FetchRow>(
      `SELECT ${cols.join(', ')}
         FROM messages m ${join}
        WHERE m.account_id = $1 AND m.mailbox_id = $2 AND m.uid > $3 AND ${cond.sql} ${changed}
        ORDER BY m.uid LIMIT ${pageSize}`,
      [accountId, mailboxId, after, ...cond.params, ...extra],
      // With CHANGEDSINCE the best plan depends on the values (a recent MODSEQ: its index).
      { replan: Boolean(opts.changedSince) },
    );
    const page: FetchedMessage[] = [];
    for (const r of rows) {
      const msg: FetchedMessage = {
        uid: r.uid,
        modseq: r.modseq,
        flags: flagsOfLine(r.flags),
        internalDateMs: r.internalDateMs,
        size: r.size,
      };
      if (r.raw) msg.raw = toBuffer(r.raw);
      if (r.header) msg.header = toBuffer(r.header);
      if (r.bodyStructureJson) msg.bodyStructureJson = r.bodyStructureJson;
      if (r.envelopeJson) msg.envelopeJson = r.envelopeJson;
      if (wantsMeta && !r.bodyStructureJson && !r.envelopeJson) {
        const source = r.unparsed ? toBuffer(r.unparsed) : msg.raw;
        if (source) {
          const parsed = parseMessage(source);
          if (structure) msg.bodyStructureJson = JSON.stringify(parsed);
          else msg.envelopeJson = JSON.stringify(parsed.envelope);
        }
      }
      page.push(msg);
    }
    if (page.length) yield page;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.uid;
  }
}

/** The columns a FETCH asks for besides UIDs and flags (FetchRequest's fields), and the page size. */
export interface ColumnOptions extends Partial<Pick<FetchRequest__Output, 'modseq' | 'internalDate' | 'size' | 'changedSince'>> {
  /** The flags as this account sees them, when it is not the mailbox's owner (see readerFlags). */
  reader?: number;
  /** Messages per page; the default suits a 100,000-message FETCH. */
  pageSize?: number;
}

/** A page of messages without content, column by column: FetchResponse.columns (see MessageColumns in the proto). */
export type MessageColumns = MessageColumns__Output;

const COLUMN_PAGE = 20_000;
const EMPTY = Buffer.alloc(0);

/**
 * Streams the metadata of messages (UID, flags and, when asked for, MODSEQ,
 * INTERNALDATE, size) in pages of columns that PostgreSQL aggregates itself:
 * one row per 20,000 messages instead of one row, and one object, per
 * message. The columns of a page line up because they are aggregated from the
 * same rows in the same pass; the pages follow each other in UID order (keyset).
 */
export async function* fetchColumnPages(
  db: Queryable,
  accountId: number,
  mailboxId: number,
  ranges: UidRange[],
  opts: ColumnOptions,
): AsyncGenerator<MessageColumns> {
  const cond = uidRangeCondition(ranges, 4, 'm.uid');
  const cols = ["string_agg(int8send(uid), ''::bytea) AS uids", "string_agg(array_to_string(flags, ' '), E'\\n') AS flags"];
  if (opts.modseq) cols.push("string_agg(int8send(modseq), ''::bytea) AS modseqs");
  // date_part is a double, which is far cheaper than extract's numeric; truncated to
  // milliseconds first, the product is a whole number of milliseconds and rounds exactly.
  if (opts.internalDate)
    cols.push(
      `string_agg(int8send(round(date_part('epoch', date_trunc('milliseconds', internal_date)) * 1000)::int8), ''::bytea) AS "internalDatesMs"`,
    );
  if (opts.size) cols.push("string_agg(int8send(size), ''::bytea) AS sizes");
  const changed = opts.changedSince ? `AND m.modseq > $${4 + cond.params.length}` : '';
  // Parameters after the ranges': CHANGEDSINCE, then the reader.
  const extra: unknown[] = opts.changedSince ? [opts.changedSince] : [];
  let flags = 'm.flags';
  if (opts.reader) {
    extra.push(opts.reader);
    flags = `${readerFlags(`$${3 + cond.params.length + extra.length}`)} AS flags`;
  }
  const pageSize = opts.pageSize ?? COLUMN_PAGE;
  type Row = {
    n: number;
    last: number | null;
    uids: Uint8Array | null;
    flags: string | null;
    modseqs?: Uint8Array | null;
    internalDatesMs?: Uint8Array | null;
    sizes?: Uint8Array | null;
  };
  const page = (after: number) =>
    db.query<Row>(
      `SELECT count(*)::int AS n, max(uid) AS last, ${cols.join(', ')}
         FROM (SELECT m.uid, ${flags}, m.modseq, m.internal_date, m.size
                 FROM messages m
                WHERE m.account_id = $1 AND m.mailbox_id = $2 AND m.uid > $3 AND ${cond.sql} ${changed}
                ORDER BY m.uid LIMIT ${pageSize}) p`,
      [accountId, mailboxId, after, ...cond.params, ...extra],
      { replan: Boolean(opts.changedSince) },
    );
  // The next page is asked for as soon as this one has arrived, so that
  // PostgreSQL works on it while this one is on its way to the edge.
  let next: Promise<{ rows: Row[] }> | undefined = page(0);
  try {
    while (next) {
      const r = (await next).rows[0];
      next = undefined;
      if (!r || r.n === 0 || r.last === null) return;
      if (r.n === pageSize) next = page(r.last);
      yield {
        count: r.n,
        uids: r.uids ? toBuffer(r.uids) : EMPTY,
        flags: r.flags ?? '',
        modseqs: r.modseqs ? toBuffer(r.modseqs) : EMPTY,
        internalDatesMs: r.internalDatesMs ? toBuffer(r.internalDatesMs) : EMPTY,
        sizes: r.sizes ? toBuffer(r.sizes) : EMPTY,
      };
    }
  } finally {
    // Left early (a cancelled call): the page asked for ahead is not wanted.
    next?.catch(() => undefined);
  }
}
