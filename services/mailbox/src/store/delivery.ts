// Delivery of one message to many recipients (LMTP). The message is parsed
// once; each account gets one copy (its trace header in front, the parsed
// structure moved rather than parsed again), stored as a body once, and an
// APPEND per folder of it, each a statement of its own (kimap_append, with
// its outbox event): one recipient over quota fails no other.
import { createHash } from 'node:crypto';
import { RpcError, type Logger, type Queryable } from '@kimap/common';
import { headerSearchText, parseMessage, searchText, toCrlf, withHeaderPrefix } from '@kimap/common/mime/index';
import type { DeliveryResult__Output } from '@kimap/common/generated/mail/v1/DeliveryResult';
import { appendPrepared, jsonColumn, searchColumn, type PreparedMessage } from './messages.js';
import type { RecordedEvent } from './outbox.js';
import { resolveRecipients, type Recipient } from './recipients.js';
import { traceHeader, type DeliveryTrace } from './trace.js';

export type DeliveryResult = DeliveryResult__Output;

export interface DeliveryInput {
  message: Buffer;
  recipients: readonly string[];
  trace: DeliveryTrace;
}

export interface DeliveryOptions {
  /** Called with each APPEND's outbox event as soon as it is committed. */
  onCommitted?: (event: RecordedEvent | undefined) => void;
  /** Accounts stored into at once. */
  concurrency?: number;
  log?: Logger;
}

/** What every copy shares: parsed once. */
interface ParsedOnce {
  raw: Buffer;
  structure: ReturnType<typeof parseMessage>;
  searchHeader: string;
  searchBody: string;
  envelopeJson: string;
}

function parseOnce(message: Buffer): ParsedOnce {
  const raw = toCrlf(message);
  const structure = parseMessage(raw);
  const text = searchText(raw, structure);
  return { raw, structure, searchHeader: text.header, searchBody: searchColumn(text.body), envelopeJson: jsonColumn(structure.envelope) };
}

/** One account's copy: the trace in front of the message. */
function copyWithTrace(parsed: ParsedOnce, trace: Buffer): PreparedMessage {
  const raw = Buffer.concat([trace, parsed.raw]);
  const structure = withHeaderPrefix(parsed.structure, trace.length);
  return {
    raw,
    hash: createHash('sha256').update(raw).digest(),
    headerSize: structure.root.headerEnd,
    envelopeJson: parsed.envelopeJson,
    structureJson: jsonColumn(structure),
    searchHeader: searchColumn(headerSearchText(trace) + parsed.searchHeader),
    searchBody: parsed.searchBody,
  };
}

const status = (s: DeliveryResult['status'], mailbox = '', uid = 0): DeliveryResult => ({ status: s, mailbox, uid });

/** Runs `fn` over items, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Stores a message for each recipient; one result per recipient, in order.
 * Recipients of one account share its copy (and are not named in its
 * Received field unless there is only one); recipients of one folder share
 * one message in it.
 */
export async function deliverMessage(db: Queryable, input: DeliveryInput, opts: DeliveryOptions = {}): Promise<DeliveryResult[]> {
  const resolved = await resolveRecipients(db, input.recipients);
  const results = resolved.map((r) => status(r ? 'DELIVERY_STATUS_TEMPORARY_FAILURE' : 'DELIVERY_STATUS_UNKNOWN_RECIPIENT'));
  // account → folder → the indexes of its recipients
  const accounts = new Map<number, { recipients: Recipient[]; folders: Map<string, number[]> }>();
  resolved.forEach((r, i) => {
    if (!r) return;
    let a = accounts.get(r.accountId);
    if (!a) accounts.set(r.accountId, (a = { recipients: [], folders: new Map() }));
    a.recipients.push(r);
    const folder = a.folders.get(r.mailbox);
    if (folder) folder.push(i);
    else a.folders.set(r.mailbox, [i]);
  });
  if (accounts.size === 0) return results;

  const parsed = parseOnce(input.message);
  const receivedAt = Number(input.trace.timeMs) || Date.now();
  await eachLimited([...accounts], opts.concurrency ?? 4, async ([accountId, account]) => {
    const addresses = new Set(account.recipients.map((r) => r.address.toLowerCase()));
    const named = addresses.size === 1 ? account.recipients[0]!.address : undefined;
    const copy = copyWithTrace(parsed, traceHeader(input.trace, named));
    for (const [folder, indexes] of account.folders) {
      const outcome = await appendCopy(db, accountId, folder, copy, receivedAt, opts);
      for (const i of indexes) results[i] = outcome;
    }
  });
  return results;
}

async function appendCopy(
  db: Queryable,
  accountId: number,
  folder: string,
  message: PreparedMessage,
  receivedAt: number,
  opts: DeliveryOptions,
): Promise<DeliveryResult> {
  for (let mailbox = folder; ; mailbox = 'INBOX') {
    try {
      const r = await appendPrepared(db, accountId, mailbox, [{ message, flags: [], internalDateMs: receivedAt }]);
      opts.onCommitted?.(r.event);
      return status('DELIVERY_STATUS_OK', mailbox, r.uids[0]);
    } catch (err) {
      const code = err instanceof RpcError ? err.imapCode : undefined;
      if (code === 'OVERQUOTA') return status('DELIVERY_STATUS_OVER_QUOTA');
      // The +detail folder went away since it was looked up: INBOX instead.
      if (code === 'TRYCREATE' && mailbox !== 'INBOX') continue;
      opts.log?.error({ err, accountId, mailbox }, 'delivery failed');
      return status('DELIVERY_STATUS_TEMPORARY_FAILURE');
    }
  }
}
