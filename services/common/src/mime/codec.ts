// Content-Transfer-Encoding decoders. Lenient on purpose: a stray invalid
// character is skipped (base64) or kept as it is (quoted-printable), so a
// slightly damaged attachment still decodes. (Dovecot refuses such parts
// with NO [PARSE]; see the tests.)

const B64 = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((ch, i) => {
  B64[ch.charCodeAt(0)] = i;
});
// Also accept the URL-safe alphabet, which some broken senders use.
B64[0x2d] = 62;
B64[0x5f] = 63;

/** Base64 to bytes, ignoring everything outside the alphabet. Padding ends a quantum. */
export function decodeBase64(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(Math.floor((input.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === 0x3d) {
      // '=': drop the partial quantum; a later chunk starts afresh
      acc = 0;
      bits = 0;
      continue;
    }
    const v = B64[c]!;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  return out.subarray(0, o);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Quoted-printable (RFC 2045 6.7) to bytes: `=XX` decoded, soft line breaks
 * removed, trailing whitespace of each line dropped, hard line breaks kept
 * as they are (CRLF or LF). An `=` not followed by hex or a line break is
 * kept literally.
 */
export function decodeQuotedPrintable(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let o = 0;
  let i = 0;
  const n = input.length;
  while (i < n) {
    // one line: [i, eol) plus its line break
    let eol = input.indexOf(0x0a, i);
    let next: number;
    let brk = 0;
    if (eol < 0) {
      eol = n;
      next = n;
    } else {
      next = eol + 1;
      brk = 1;
      if (eol > i && input[eol - 1] === 0x0d) {
        eol--;
        brk = 2;
      }
    }
    // trailing whitespace is transport padding
    let end = eol;
    while (end > i && (input[end - 1] === 0x20 || input[end - 1] === 0x09)) end--;
    let soft = false;
    for (let p = i; p < end; p++) {
      const c = input[p]!;
      if (c !== 0x3d) {
        out[o++] = c;
        continue;
      }
      if (p === end - 1) {
        soft = true; // '=' at the end of the line
        break;
      }
      const hi = hexValue(input[p + 1]!);
      const lo = p + 2 < end ? hexValue(input[p + 2]!) : -1;
      if (hi >= 0 && lo >= 0) {
        out[o++] = (hi << 4) | lo;
        p += 2;
      } else {
        out[o++] = c;
      }
    }
    if (!soft && brk > 0) {
      if (brk === 2) out[o++] = 0x0d;
      out[o++] = 0x0a;
    }
    i = next;
  }
  return out.subarray(0, o);
}

/** RFC 2047 "Q" encoding: like quoted-printable, and '_' is a space. */
export function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) bytes.push(0x20);
    else if (c === 0x3d && i + 2 < text.length && hexValue(text.charCodeAt(i + 1)) >= 0 && hexValue(text.charCodeAt(i + 2)) >= 0) {
      bytes.push((hexValue(text.charCodeAt(i + 1)) << 4) | hexValue(text.charCodeAt(i + 2)));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(text[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes);
}
