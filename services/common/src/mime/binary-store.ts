// APPEND of a literal8 (RFC 3516 4.4): a part sent with Content-Transfer-
// Encoding "binary" may hold any bytes, NUL and bare CR or LF included. Stored
// as sent, the CRLF normalisation of every stored message would change those
// bytes, and BODY[n] would have to send NULs, which an IMAP string cannot
// hold. Such parts are stored base64-encoded instead, as Dovecot does:
// BINARY[n] gives back exactly the bytes sent, BODY[n] the base64 text.
import { parseHeaderBlock } from './header.js';
import { parseMessage } from './parser.js';
import type { MimePart } from './types.js';

function binaryLeaves(part: MimePart, out: MimePart[]): MimePart[] {
  if (part.kind === 'multipart' || part.kind === 'message') {
    for (const c of part.children ?? []) binaryLeaves(c, out);
  } else if (part.encoding?.toLowerCase() === 'binary') {
    out.push(part);
  }
  return out;
}

/** Base64 in lines of 76 characters, CRLF between them (RFC 2045 6.8); no line break after the last. */
function base64Lines(data: Buffer): Buffer {
  const text = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 76) lines.push(text.slice(i, i + 76));
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

/** The part's header with its (first) Content-Transfer-Encoding field saying base64, any other dropped. */
function base64Header(raw: Buffer, part: MimePart): Buffer {
  const chunks: Buffer[] = [];
  let pos = part.headerStart;
  let replaced = false;
  for (const f of parseHeaderBlock(raw, part.headerStart, part.headerEnd)) {
    if (f.name.toLowerCase() !== 'content-transfer-encoding') continue;
    chunks.push(raw.subarray(pos, f.start));
    if (!replaced) {
      const lineEnd = raw[f.end - 1] === 0x0a ? (raw[f.end - 2] === 0x0d ? '\r\n' : '\n') : '';
      chunks.push(Buffer.from(`Content-Transfer-Encoding: base64${lineEnd}`, 'latin1'));
      replaced = true;
    }
    pos = f.end;
  }
  chunks.push(raw.subarray(pos, part.headerEnd));
  return Buffer.concat(chunks);
}

/**
 * The message with every part whose Content-Transfer-Encoding is "binary"
 * re-encoded as base64 (header field and body); the message itself when it
 * has none.
 */
export function binaryPartsToBase64(raw: Buffer): Buffer {
  const leaves = binaryLeaves(parseMessage(raw).root, []);
  if (leaves.length === 0) return raw;
  const chunks: Buffer[] = [];
  let pos = 0;
  for (const part of leaves) {
    chunks.push(raw.subarray(pos, part.headerStart), base64Header(raw, part), base64Lines(raw.subarray(part.headerEnd, part.bodyEnd)));
    pos = part.bodyEnd;
  }
  chunks.push(raw.subarray(pos));
  return Buffer.concat(chunks);
}
