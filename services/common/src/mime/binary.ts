// BINARY[section] (RFC 3516): a part's body with its Content-Transfer-
// Encoding undone. For a multipart or message/rfc822 part (and for the
// whole message), every encoded leaf inside is decoded and its
// Content-Transfer-Encoding field replaced by "binary", as Dovecot does.
//
// Where we differ from Dovecot 2.3, on purpose:
// - the encoding is the one BODYSTRUCTURE reports (a Content-Transfer-
//   Encoding field without MIME-Version, or one that is not a single token,
//   counts as 7bit); Dovecot's BINARY reads the raw field;
// - only the section asked for has to be decodable; Dovecot refuses every
//   part of a message that has one undecodable part;
// - damaged base64 / quoted-printable is decoded leniently (codec.ts)
//   where Dovecot answers NO [PARSE].
import { toCrlf } from './bytes.js';
import { decodeBase64, decodeQuotedPrintable } from './codec.js';
import { parseHeaderBlock } from './header.js';
import { findPart } from './section.js';
import type { MessageStructure, MimePart } from './types.js';

/** The part's transfer encoding is not one we can undo: answer NO [UNKNOWN-CTE]. */
export class UnknownCteError extends Error {
  readonly code = 'UNKNOWN-CTE';
  constructor(readonly encoding: string) {
    super(`Unknown Content-Transfer-Encoding: ${encoding}`);
    this.name = 'UnknownCteError';
  }
}

type Cte = 'identity' | 'base64' | 'quoted-printable';

function cteOf(part: MimePart): Cte {
  const e = (part.encoding ?? '7bit').toLowerCase();
  if (e === '7bit' || e === '8bit' || e === 'binary') return 'identity';
  if (e === 'base64' || e === 'quoted-printable') return e;
  throw new UnknownCteError(part.encoding ?? '');
}

interface Ctx {
  raw: Buffer;
  crlf: boolean;
}

function slice(ctx: Ctx, start: number, end: number): Buffer {
  const b = ctx.raw.subarray(start, end);
  return ctx.crlf ? toCrlf(b) : b;
}

function decodeLeaf(ctx: Ctx, part: MimePart): Buffer {
  const cte = cteOf(part);
  const body = ctx.raw.subarray(part.headerEnd, part.bodyEnd);
  if (cte === 'base64') return decodeBase64(body);
  if (cte === 'quoted-printable') return decodeQuotedPrintable(ctx.crlf ? toCrlf(body) : body);
  return ctx.crlf ? toCrlf(body) : body;
}

/** Throws UnknownCteError when some leaf under `part` cannot be decoded. */
function checkTree(part: MimePart): void {
  if (part.kind === 'multipart' || part.kind === 'message') {
    for (const c of part.children ?? []) checkTree(c);
  } else {
    cteOf(part);
  }
}

/** The part's header with its Content-Transfer-Encoding field(s) dropped and "binary" added last. */
function binaryHeader(ctx: Ctx, part: MimePart): Buffer {
  const chunks: Buffer[] = [];
  let tail = part.headerStart;
  for (const f of parseHeaderBlock(ctx.raw, part.headerStart, part.headerEnd)) {
    tail = f.end;
    if (f.name.toLowerCase() !== 'content-transfer-encoding') chunks.push(slice(ctx, f.start, f.end));
  }
  const last = chunks[chunks.length - 1];
  if (last && last.length > 0 && last[last.length - 1] !== 0x0a) chunks.push(Buffer.from('\r\n'));
  chunks.push(Buffer.from('Content-Transfer-Encoding: binary\r\n'));
  chunks.push(slice(ctx, tail, part.headerEnd));
  return Buffer.concat(chunks);
}

/** The bytes of [start, end) with every encoded leaf among `parts` converted. */
function convertRange(ctx: Ctx, start: number, end: number, parts: readonly MimePart[]): Buffer {
  const chunks: Buffer[] = [];
  let pos = start;
  for (const p of parts) {
    chunks.push(slice(ctx, pos, p.headerStart));
    chunks.push(convertPart(ctx, p));
    pos = p.bodyEnd;
  }
  chunks.push(slice(ctx, pos, end));
  return Buffer.concat(chunks);
}

/** A whole part (header and body) with encoded leaves converted. */
function convertPart(ctx: Ctx, part: MimePart): Buffer {
  if (part.kind === 'multipart' || part.kind === 'message') {
    return Buffer.concat([slice(ctx, part.headerStart, part.headerEnd), convertBody(ctx, part)]);
  }
  if (cteOf(part) === 'identity') return slice(ctx, part.headerStart, part.bodyEnd);
  return Buffer.concat([binaryHeader(ctx, part), decodeLeaf(ctx, part)]);
}

/** A part's body, decoded. */
function convertBody(ctx: Ctx, part: MimePart): Buffer {
  if (part.kind === 'multipart' || part.kind === 'message') return convertRange(ctx, part.headerEnd, part.bodyEnd, part.children ?? []);
  return decodeLeaf(ctx, part);
}

/**
 * BINARY[part]: the decoded body of a part, or for an empty path the whole
 * message converted. Null when the part does not exist. Throws
 * UnknownCteError (→ NO [UNKNOWN-CTE]) for an encoding other than 7bit,
 * 8bit, binary, base64 and quoted-printable.
 */
export function decodePart(raw: Buffer, structure: MessageStructure, part: readonly number[]): Buffer | null {
  const ctx: Ctx = { raw, crlf: structure.bareLf };
  if (part.length === 0) {
    checkTree(structure.root);
    return convertPart(ctx, structure.root);
  }
  const found = findPart(structure, part);
  if (!found) return null;
  checkTree(found);
  return convertBody(ctx, found);
}

/** BINARY.SIZE[part]: the length decodePart() returns (null when the part does not exist). */
export function binarySize(raw: Buffer, structure: MessageStructure, part: readonly number[]): number | null {
  const found = part.length === 0 ? structure.root : findPart(structure, part);
  if (!found) return null;
  if (part.length > 0 && found.kind !== 'multipart' && found.kind !== 'message' && cteOf(found) === 'identity') return found.size;
  return decodePart(raw, structure, part)?.length ?? null;
}
