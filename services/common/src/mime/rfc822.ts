// RFC 5322 / RFC 2045 lexical scanning of one header value.
//
// Return convention of the parse* methods (the one Dovecot's rfc822 parser
// uses, which decides how broken input is shown): 1 = parsed and more input
// follows, 0 = parsed and the input ended, -1 = syntax error.

// atext per RFC 5322, 8-bit included. Bit 4 marks the atext characters that
// are MIME tspecials ("/", "=", "?"), which end a MIME token.
const ATEXT = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) ATEXT[c] = 2;
for (let c = 0x41; c <= 0x5a; c++) ATEXT[c] = 2;
for (let c = 0x61; c <= 0x7a; c++) ATEXT[c] = 2;
for (let c = 0x80; c <= 0xff; c++) ATEXT[c] = 2;
for (const ch of "!#$%&'*+-^_`{|}~") ATEXT[ch.charCodeAt(0)] = 1;
for (const ch of '/=?') ATEXT[ch.charCodeAt(0)] = 4;

export function isAtext(code: number): boolean {
  return code >= 0x100 || ATEXT[code]! !== 0;
}

/** MIME token character (atext minus tspecials), or '.'. */
function isTokenChar(code: number): boolean {
  return code >= 0x100 || (ATEXT[code]! & 3) !== 0 || code === 0x2e;
}

export class Rfc822Scanner {
  pos = 0;
  readonly end: number;
  /** Text of the most recent comment, when tracking is on. */
  lastComment: string | null;

  constructor(
    readonly s: string,
    trackComments = false,
  ) {
    this.end = s.length;
    this.lastComment = trackComments ? '' : null;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Current character code, or -1 at the end. */
  peek(): number {
    return this.pos < this.end ? this.s.charCodeAt(this.pos) : -1;
  }

  private result(): 0 | 1 {
    return this.pos < this.end ? 1 : 0;
  }

  skipComment(): -1 | 0 | 1 {
    let level = 1;
    let text = '';
    let start = ++this.pos;
    for (; this.pos < this.end; this.pos++) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x28) level++;
      else if (c === 0x29) {
        if (--level === 0) {
          if (this.lastComment !== null) this.lastComment = text + this.s.slice(start, this.pos);
          this.pos++;
          return this.result();
        }
      } else if (c === 0x5c) {
        text += this.s.slice(start, this.pos);
        start = this.pos + 1;
        this.pos++;
        if (this.pos >= this.end) return -1;
      }
    }
    return -1;
  }

  /** Skips whitespace, CR, LF and comments. */
  skipLwsp(): -1 | 0 | 1 {
    while (this.pos < this.end) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) {
        this.pos++;
        continue;
      }
      if (c !== 0x28) break;
      if (this.skipComment() < 0) return -1;
    }
    return this.result();
  }

  /** atom = 1*atext, then CFWS. */
  parseAtom(out: string[]): -1 | 0 | 1 {
    if (this.pos >= this.end || !isAtext(this.s.charCodeAt(this.pos))) return -1;
    const start = this.pos++;
    while (this.pos < this.end && isAtext(this.s.charCodeAt(this.pos))) this.pos++;
    out.push(this.s.slice(start, this.pos));
    return this.pos < this.end ? this.skipLwsp() : 0;
  }

  /** dot-atom, allowing CFWS around the dots (RFC 822). */
  parseDotAtom(out: string[]): -1 | 0 | 1 {
    if (this.pos >= this.end || !isAtext(this.s.charCodeAt(this.pos))) return -1;
    let start = this.pos++;
    for (;;) {
      while (this.pos < this.end && isAtext(this.s.charCodeAt(this.pos))) this.pos++;
      if (this.pos >= this.end) {
        out.push(this.s.slice(start, this.pos));
        return 0;
      }
      out.push(this.s.slice(start, this.pos));
      const r = this.skipLwsp();
      if (r <= 0) return r;
      if (this.s.charCodeAt(this.pos) !== 0x2e) return 1;
      this.pos++;
      out.push('.');
      const r2 = this.skipLwsp();
      if (r2 <= 0) return r2;
      start = this.pos;
    }
  }

  /** MIME token (possibly empty), then CFWS. */
  parseMimeToken(out: string[]): -1 | 0 | 1 {
    const start = this.pos;
    while (this.pos < this.end && isTokenChar(this.s.charCodeAt(this.pos))) this.pos++;
    out.push(this.s.slice(start, this.pos));
    return this.pos < this.end ? this.skipLwsp() : 0;
  }

  /** quoted-string at '"': unescaped, folding CRLFs dropped. */
  parseQuotedString(out: string[]): -1 | 0 | 1 {
    this.pos++;
    let start = this.pos;
    for (; this.pos < this.end; this.pos++) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x22) {
        out.push(this.s.slice(start, this.pos));
        this.pos++;
        return this.skipLwsp();
      }
      if (c === 0x0a) {
        let len = this.pos - start;
        if (len > 0 && this.s.charCodeAt(start + len - 1) === 0x0d) len--;
        out.push(this.s.slice(start, start + len));
        start = this.pos + 1;
      } else if (c === 0x5c) {
        this.pos++;
        if (this.pos >= this.end) return -1;
        out.push(this.s.slice(start, this.pos - 1));
        start = this.pos;
      }
    }
    return -1;
  }

  private parseAtomOrDot(out: string[]): -1 | 0 | 1 {
    const start = this.pos;
    while (this.pos < this.end) {
      const c = this.s.charCodeAt(this.pos);
      if (!isAtext(c) && c !== 0x2e) break;
      this.pos++;
    }
    out.push(this.s.slice(start, this.pos));
    return this.pos < this.end ? this.skipLwsp() : 0;
  }

  /** phrase = 1*word (obs-phrase: dots allowed); words joined by one space. */
  parsePhrase(out: string[]): -1 | 0 | 1 {
    if (this.pos >= this.end) return 0;
    if (this.s.charCodeAt(this.pos) === 0x2e) return -1;
    for (;;) {
      const r = this.s.charCodeAt(this.pos) === 0x22 ? this.parseQuotedString(out) : this.parseAtomOrDot(out);
      if (r <= 0) return r;
      const c = this.s.charCodeAt(this.pos);
      if (!isAtext(c) && c !== 0x22 && c !== 0x2e) break;
      out.push(' ');
    }
    return this.skipLwsp();
  }

  private parseDomainLiteral(out: string[]): -1 | 0 | 1 {
    const start = this.pos;
    for (; this.pos < this.end; this.pos++) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x5c) {
        this.pos++;
        if (this.pos >= this.end) break;
      } else if (c === 0x5d) {
        this.pos++;
        out.push(this.s.slice(start, this.pos));
        return this.skipLwsp();
      }
    }
    return -1;
  }

  /** At '@': the domain after it. */
  parseDomain(out: string[]): -1 | 0 | 1 {
    this.pos++;
    if (this.skipLwsp() <= 0) return -1;
    return this.s.charCodeAt(this.pos) === 0x5b ? this.parseDomainLiteral(out) : this.parseDotAtom(out);
  }

  /**
   * type "/" subtype. On failure the result keeps what Dovecot keeps: the
   * type alone when the value ends right after it, nothing otherwise.
   */
  parseContentType(): { ok: boolean; value: string } {
    if (this.skipLwsp() <= 0) return { ok: false, value: '' };
    const type: string[] = [];
    const r = this.parseMimeToken(type);
    if (r <= 0 || type[0] === '') return { ok: false, value: r === 0 ? type[0]! : '' };
    if (this.s.charCodeAt(this.pos) !== 0x2f) return { ok: false, value: '' };
    this.pos++;
    if (this.skipLwsp() <= 0) return { ok: false, value: '' };
    const sub: string[] = [];
    if (this.parseMimeToken(sub) < 0 || sub[0] === '') return { ok: false, value: '' };
    return { ok: true, value: `${type[0]}/${sub[0]}` };
  }

  /** `; key=value`: 1 with key/value, 0 at the end, -1 when broken (the caller skips a char). */
  parseContentParam(): { r: -1 | 0 | 1; key: string; value: string } {
    if (this.pos >= this.end) return { r: 0, key: '', value: '' };
    if (this.s.charCodeAt(this.pos) !== 0x3b) return { r: -1, key: '', value: '' };
    this.pos++;
    if (this.skipLwsp() <= 0) return { r: -1, key: '', value: '' };
    const key: string[] = [];
    if (this.parseMimeToken(key) <= 0) return { r: -1, key: '', value: '' };
    if (this.s.charCodeAt(this.pos) !== 0x3d) return { r: -1, key: '', value: '' };
    this.pos++;
    const value: string[] = [];
    let r = this.skipLwsp();
    if (r <= 0) {
      // no value
    } else if (this.s.charCodeAt(this.pos) === 0x22) {
      r = this.parseQuotedString(value);
    } else if (this.s.charCodeAt(this.pos) === 0x3d) {
      // broken senders write name==?utf-8?b?...?= unquoted
      const start = this.pos;
      while (this.pos < this.end) {
        const c = this.s.charCodeAt(this.pos);
        if (c === 0x3b || c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) break;
        this.pos++;
      }
      value.push(this.s.slice(start, this.pos));
    } else {
      r = this.parseMimeToken(value);
    }
    return { r: r < 0 ? -1 : 1, key: key[0]!, value: value.join('') };
  }
}
