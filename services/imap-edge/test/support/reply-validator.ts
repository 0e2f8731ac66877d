// A checker of what an IMAP server sends, written from the RFCs' response
// grammar (RFC 9051 section 9, RFC 3501 section 9 and the extensions the
// edge offers), independent of the edge's encoder: the fuzz tests hold every
// reply to it.
//
// ReplyFramer cuts the byte stream into logical response lines (a line that
// ends in `{n}` carries n literal bytes and goes on after them), checking the
// framing itself: CRLF line ends, no bare CR or LF, no NUL outside literals.
// validateResponse then checks one line's syntax.

const CR = 0x0d;
const LF = 0x0a;

/** One logical response line: its text with each literal's data taken out (the `{n}` marker stays), and the literals. */
export interface ResponseLine {
  readonly text: string;
  readonly literals: readonly Buffer[];
  /** Bytes on the wire, literals included. */
  readonly size: number;
}

export class ReplyFramer {
  private buf: Buffer = Buffer.alloc(0);
  private text = '';
  private literals: Buffer[] = [];
  private size = 0;
  /** Literal bytes still to come for the line being read. */
  private need = -1;
  /** The first framing error; after it nothing more is framed. */
  error?: string;

  constructor(private readonly maxLine = 1024 * 1024) {}

  push(chunk: Buffer): ResponseLine[] {
    if (this.error) return [];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: ResponseLine[] = [];
    for (;;) {
      if (this.need >= 0) {
        if (this.buf.length < this.need) break;
        this.literals.push(Buffer.from(this.buf.subarray(0, this.need)));
        this.size += this.need;
        this.buf = this.buf.subarray(this.need);
        this.need = -1;
        continue;
      }
      const lf = this.buf.indexOf(LF);
      if (lf < 0) {
        if (this.buf.length > this.maxLine) this.error = `a line longer than ${this.maxLine} bytes without LF`;
        break;
      }
      if (lf === 0 || this.buf[lf - 1] !== CR) {
        this.error = `a line ending in a bare LF: ${JSON.stringify(this.text + this.buf.subarray(0, lf + 1).toString('latin1'))}`;
        break;
      }
      const piece = this.buf.subarray(0, lf - 1).toString('latin1');
      this.buf = this.buf.subarray(lf + 1);
      this.size += lf + 1;
      const bad = /[\r\n\0]/.exec(piece);
      if (bad) {
        this.error = `a ${JSON.stringify(bad[0])} inside a line: ${JSON.stringify(this.text + piece)}`;
        break;
      }
      this.text += piece;
      const m = /~?\{(\d+)\}$/.exec(piece);
      if (m) {
        this.need = Number(m[1]);
        continue;
      }
      out.push({ text: this.text, literals: this.literals, size: this.size });
      this.text = '';
      this.literals = [];
      this.size = 0;
    }
    return out;
  }

  /** Bytes received that do not make a whole line yet. */
  get pending(): number {
    return this.buf.length + this.text.length;
  }
}

// --- the lexer ----------------------------------------------------------------

type Value =
  | { t: 'atom'; v: string }
  | { t: 'number'; v: string }
  | { t: 'string'; v: string; literal?: boolean; binary?: boolean }
  | { t: 'nil' }
  | { t: 'list'; items: Value[] }
  /** `BODY[...]<n>` and the like: a name with a section (and its own items). */
  | { t: 'section'; name: string; section: Value[]; origin?: string };

class Invalid extends Error {}

const ATOM_SPECIALS = new Set('(){ %*"\\]'.split(''));

/** A character allowed in an atom (RFC 9051 ATOM-CHAR). */
function isAtomChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c > 0x20 && c < 0x7f && !ATOM_SPECIALS.has(ch);
}

/** ASTRING-CHAR: an atom char or `]`. */
const isAstringChar = (ch: string) => isAtomChar(ch) || ch === ']';

/** The FETCH data items that carry a section (`BODY[1.2]<0>`). */
const SECTION_ITEMS = new Set(['BODY', 'BINARY', 'BINARY.SIZE']);

class Lexer {
  pos = 0;
  private lit = 0;
  /** Inside `[...]`, where `]` ends the brackets rather than belonging to an atom. */
  sections = 0;
  constructor(
    readonly s: string,
    private readonly literals: readonly Buffer[],
    private readonly utf8: boolean,
  ) {}

  fail(what: string): never {
    throw new Invalid(`${what} at ${this.pos} in ${JSON.stringify(this.s.length > 300 ? this.s.slice(0, 300) + '…' : this.s)}`);
  }
  get done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string {
    return this.s[this.pos] ?? '';
  }
  expect(str: string): void {
    if (!this.s.startsWith(str, this.pos)) this.fail(`expected ${JSON.stringify(str)}`);
    this.pos += str.length;
  }
  try(str: string): boolean {
    if (!this.s.startsWith(str, this.pos)) return false;
    this.pos += str.length;
    return true;
  }
  sp(): void {
    this.expect(' ');
    if (this.peek() === ' ') this.fail('two spaces');
  }
  end(): void {
    if (!this.done) this.fail('expected the end of the line');
  }

  /** The rest of the line as `text` (1*TEXT-CHAR; RFC 9051 allows UTF-8 there). */
  text(allowEmpty = false): string {
    const t = this.s.slice(this.pos);
    if (!allowEmpty && t.length === 0) this.fail('expected text');
    this.pos = this.s.length;
    // TEXT-CHAR is any CHAR but CR and LF (the framer has refused those and NUL): controls such as TAB are text.
    if (!validUtf8(t)) this.fail('text that is not UTF-8');
    return t;
  }

  atomLike(pred: (ch: string) => boolean = isAtomChar): string {
    const start = this.pos;
    while (!this.done && pred(this.peek())) this.pos++;
    if (this.pos === start) this.fail('expected an atom');
    return this.s.slice(start, this.pos);
  }

  number(): string {
    const m = /^\d+/.exec(this.s.slice(this.pos, this.pos + 30));
    if (!m) this.fail('expected a number');
    this.pos += m[0].length;
    return m[0];
  }

  quoted(): string {
    this.expect('"');
    let out = '';
    for (;;) {
      if (this.done) this.fail('an unterminated quoted string');
      const ch = this.s[this.pos++]!;
      if (ch === '"') break;
      if (ch === '\\') {
        const next = this.s[this.pos++];
        if (next !== '"' && next !== '\\') this.fail('a backslash before something other than " or \\ in a quoted string');
        out += next;
        continue;
      }
      const c = ch.charCodeAt(0);
      // QUOTED-CHAR is a TEXT-CHAR (any CHAR but CR and LF, which the framer refuses), or an escaped special.
      if (c >= 0x80 && !this.utf8) this.fail('an 8-bit character in a quoted string (UTF-8 is not enabled)');
      out += ch;
    }
    if (this.utf8 && !validUtf8(out)) this.fail('a quoted string that is not UTF-8');
    return out;
  }

  literal(): Value {
    const binary = this.try('~');
    const m = /^\{(\d+)\}/.exec(this.s.slice(this.pos));
    if (!m) this.fail('expected a literal');
    this.pos += m[0].length;
    const data = this.literals[this.lit++];
    if (!data || data.length !== Number(m[1])) this.fail('a literal whose data does not match its count');
    if (!binary && data.includes(0)) this.fail('a NUL in a literal (only literal8 may carry one)');
    return { t: 'string', v: data.toString('latin1'), literal: true, binary };
  }

  /** Any value: NIL, number, string, list, atom (flags and section names included). */
  value(depth = 0): Value {
    if (depth > 100) this.fail('nested too deeply');
    const ch = this.peek();
    if (ch === '(') return this.list(depth);
    if (ch === '"') return { t: 'string', v: this.quoted() };
    // `~` is an atom character: only `~{` starts a literal8 (a mailbox may be called `~Le`).
    if (ch === '{' || (ch === '~' && this.s[this.pos + 1] === '{')) return this.literal();
    if (ch === '\\') {
      this.pos++;
      if (this.try('*')) return { t: 'atom', v: '\\*' };
      return { t: 'atom', v: '\\' + this.atomLike() };
    }
    // Outside a section an atom may hold `]` (astring: a mailbox name).
    const inAtom = (c: string) => isAtomChar(c) || (c === ']' && this.sections === 0);
    const start = this.pos;
    const word = this.peek() === '[' ? '' : this.atomLike((c) => inAtom(c) && c !== '[');
    // `[` is an atom character: only the FETCH items with sections start one here.
    if (this.peek() === '[' && !SECTION_ITEMS.has(word.toUpperCase())) {
      return { t: 'atom', v: word + this.atomLike(inAtom) };
    }
    // Outside brackets, a name like `BODY[BODY[` (a mailbox in ACL or LIST) is
    // an atom that only starts like a FETCH item: read it as one if the section
    // does not parse.
    if (this.peek() === '[' && this.sections === 0) {
      const lit = this.lit;
      try {
        return this.section(word, start, inAtom, depth);
      } catch (err) {
        if (!(err instanceof Invalid)) throw err;
        this.pos = start;
        this.lit = lit;
        this.sections = 0;
        return { t: 'atom', v: this.atomLike(inAtom) };
      }
    }
    if (this.peek() === '[') return this.section(word, start, inAtom, depth);
    if (/^\d+$/.test(word)) return { t: 'number', v: word };
    if (word.toUpperCase() === 'NIL') return { t: 'nil' };
    return { t: 'atom', v: word };
  }

  /** `[section]<origin>` after `word`, which started at `start`. */
  private section(word: string, start: number, inAtom: (c: string) => boolean, depth: number): Value {
    this.pos++;
    this.sections++;
    const section: Value[] = [];
    while (this.peek() !== ']') {
      if (this.done) this.fail('an unterminated section');
      if (section.length) this.sp();
      section.push(this.value(depth + 1));
    }
    this.pos++;
    this.sections--;
    // `BODY[]<` with no number, or more atom characters after `]`: a name that only
    // looks like a FETCH item (a mailbox called so, in LIST), an atom after all.
    const originFollows = this.peek() === '<' && /\d/.test(this.s[this.pos + 1] ?? '');
    if (!originFollows && this.sections === 0 && !this.done && inAtom(this.peek())) {
      this.atomLike(inAtom);
      return { t: 'atom', v: this.s.slice(start, this.pos) };
    }
    let origin: string | undefined;
    if (this.try('<')) {
      origin = this.number();
      this.expect('>');
    }
    return { t: 'section', name: word.toUpperCase(), section, ...(origin !== undefined && { origin }) };
  }

  list(depth = 0): Value {
    this.expect('(');
    const items: Value[] = [];
    // In a list, even one inside a section (a header-list of HEADER.FIELDS), `]` is an
    // astring character again: `BODY[HEADER.FIELDS (T])]` names the field `T]` (Dovecot echoes it so too).
    const sections = this.sections;
    this.sections = 0;
    while (!this.try(')')) {
      if (this.done) this.fail('an unterminated list');
      // body-type-mpart = 1*body SP media-subtype: a multipart's bodies follow each other without a space.
      const adjacentBodies = items[items.length - 1]?.t === 'list' && this.peek() === '(';
      if (items.length && !adjacentBodies) this.sp();
      items.push(this.value(depth + 1));
    }
    this.sections = sections;
    return { t: 'list', items };
  }

  /** Values separated by single spaces to the end of the line. */
  values(): Value[] {
    const out: Value[] = [];
    while (!this.done) {
      this.sp();
      out.push(this.value());
    }
    return out;
  }
}

function validUtf8(s: string): boolean {
  // Characters are latin1 bytes here: check that the bytes decode as UTF-8.
  if (!/[\x80-\xff]/.test(s)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(s, 'latin1'));
    return true;
  } catch {
    return false;
  }
}

// --- responses ------------------------------------------------------------------

export interface ValidationContext {
  /** UTF-8 in quoted strings (UTF8=ACCEPT or IMAP4rev2 enabled). */
  utf8: boolean;
}

const STATUS_WORDS = new Set(['OK', 'NO', 'BAD', 'BYE', 'PREAUTH']);
const TAGGED_STATUS = new Set(['OK', 'NO', 'BAD']);

/** A tag: 1*<any ASTRING-CHAR except "+">. */
export const isValidTag = (tag: string) => tag.length > 0 && [...tag].every((c) => isAstringChar(c) && c !== '+');

/** `["[" resp-text-code "]" SP] text`. */
function respText(lx: Lexer): void {
  if (lx.try('[')) {
    const code = lx.atomLike((c) => isAtomChar(c) && c !== '[').toUpperCase();
    if (lx.try(' ')) {
      const args = ['BADCHARSET', 'PERMANENTFLAGS', 'CAPABILITY'].includes(code);
      if (args) {
        // Structured codes: their values, checked like data.
        lx.pos--;
        lx.sections++;
        while (lx.peek() === ' ') {
          lx.sp();
          lx.value();
        }
        lx.sections--;
      } else {
        // Other codes: 1*<any TEXT-CHAR except "]">.
        const start = lx.pos;
        while (!lx.done && lx.peek() !== ']') {
          lx.pos++;
        }
        if (lx.pos === start) lx.fail('an empty response code argument');
      }
    }
    lx.expect(']');
    // RFC 9051 makes the text after a code optional; RFC 3501 wants SP text. We send both.
    lx.expect(' ');
  }
  lx.text();
}

const isNumber = (v: Value | undefined): boolean => v?.t === 'number';
const isString = (v: Value | undefined): boolean => v?.t === 'string';
const isNString = (v: Value | undefined): boolean => v?.t === 'string' || v?.t === 'nil';
/** A mailbox name: astring (an atom counts). */
const isAString = (v: Value | undefined): boolean => v?.t === 'string' || v?.t === 'atom' || v?.t === 'number';
const isList = (v: Value | undefined): v is { t: 'list'; items: Value[] } => v?.t === 'list';
/** A flag: `\Name`, `\*`, or a keyword (an atom, digits alone included). */
/** A flag: a keyword is any atom, digits and `NIL` included (as Dovecot stores and reports them), or a system flag. */
const isFlag = (v: Value) => v.t === 'number' || v.t === 'nil' || (v.t === 'atom' && (/^\\[A-Za-z*]/.test(v.v) || !v.v.startsWith('\\')));

function need(ok: boolean, lx: Lexer, what: string): void {
  if (!ok) lx.fail(what);
}

function checkFetchAtts(lx: Lexer, items: Value[]): void {
  need(items.length > 0 && items.length % 2 === 0, lx, 'FETCH data that is not name/value pairs');
  for (let i = 0; i < items.length; i += 2) {
    const name = items[i]!;
    const value = items[i + 1]!;
    if (name.t === 'section') {
      need(['BODY', 'BINARY', 'BINARY.SIZE'].includes(name.name), lx, `a FETCH item ${name.name}[...]`);
      if (name.name === 'BINARY.SIZE') need(isNumber(value), lx, 'a BINARY.SIZE that is not a number');
      else need(isNString(value), lx, `a ${name.name}[] value that is not nstring`);
      if (name.name === 'BODY' && value.t === 'string') need(!value.binary, lx, 'a literal8 in BODY[]');
      continue;
    }
    need(name.t === 'atom', lx, 'a FETCH item name that is not an atom');
    const n = (name as { v: string }).v.toUpperCase();
    switch (n) {
      case 'UID':
      case 'RFC822.SIZE':
        need(isNumber(value), lx, `${n} that is not a number`);
        break;
      case 'FLAGS':
        need(isList(value) && value.items.every(isFlag), lx, 'FLAGS that are not a flag list');
        break;
      case 'MODSEQ':
        need(isList(value) && value.items.length === 1 && isNumber(value.items[0]), lx, 'MODSEQ that is not (n)');
        break;
      case 'INTERNALDATE':
        need(
          value.t === 'string' && /^[ \d]\d-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/.test(value.v),
          lx,
          'an INTERNALDATE of the wrong form',
        );
        break;
      case 'ENVELOPE':
        need(isList(value) && value.items.length === 10, lx, 'an ENVELOPE that is not a list of 10');
        break;
      case 'BODY':
      case 'BODYSTRUCTURE':
        need(isList(value) && value.items.length > 0, lx, `a ${n} that is not a list`);
        break;
      case 'RFC822':
      case 'RFC822.HEADER':
      case 'RFC822.TEXT':
      case 'PREVIEW':
        need(isNString(value), lx, `${n} that is not nstring`);
        break;
      case 'EMAILID':
      case 'THREADID':
        need(isList(value) || value.t === 'nil', lx, `${n} that is not a list`);
        break;
      default:
        lx.fail(`an unknown FETCH item ${n}`);
    }
  }
}

function untaggedData(lx: Lexer, ctx: ValidationContext): void {
  // `* n EXISTS` and the other message data.
  if (/\d/.test(lx.peek())) {
    const n = lx.number();
    lx.sp();
    const what = lx.atomLike().toUpperCase();
    if (what === 'EXISTS' || what === 'RECENT') return lx.end();
    need(n !== '0' && !n.startsWith('0'), lx, 'a message number of 0');
    if (what === 'EXPUNGE') return lx.end();
    need(what === 'FETCH', lx, `unknown message data ${what}`);
    lx.sp();
    const v = lx.list();
    lx.end();
    return checkFetchAtts(lx, (v as { items: Value[] }).items);
  }
  const word = lx.atomLike().toUpperCase();
  if (STATUS_WORDS.has(word)) {
    lx.sp();
    return respText(lx);
  }
  const vs = lx.values();
  switch (word) {
    case 'CAPABILITY':
      need(vs.length > 0 && vs.every((v) => v.t === 'atom'), lx, 'CAPABILITY with something other than atoms');
      need(
        vs.some((v) => v.t === 'atom' && /^IMAP4rev[12]$/i.test(v.v)),
        lx,
        'CAPABILITY without IMAP4rev1 or IMAP4rev2',
      );
      return;
    case 'ENABLED':
      need(
        vs.every((v) => v.t === 'atom'),
        lx,
        'ENABLED with something other than atoms',
      );
      return;
    case 'FLAGS':
      need(vs.length === 1 && isList(vs[0]) && vs[0].items.every(isFlag), lx, 'FLAGS that are not one flag list');
      return;
    case 'LIST':
    case 'LSUB': {
      const [attrs, delim, name, ext] = vs;
      need(isList(attrs) && attrs.items.every((a) => a.t === 'atom' && a.v.startsWith('\\')), lx, `${word} attributes that are not flags`);
      need(
        (delim?.t === 'string' && delim.v.length === 1 && !delim.literal) || delim?.t === 'nil',
        lx,
        `a ${word} delimiter that is not one quoted character or NIL`,
      );
      need(isAString(name), lx, `a ${word} mailbox that is not astring`);
      need(vs.length === 3 || (vs.length === 4 && isList(ext)), lx, `${word} with extra data`);
      return;
    }
    case 'STATUS': {
      const [name, atts] = vs;
      need(vs.length === 2 && isAString(name) && isList(atts), lx, 'STATUS that is not mailbox (items)');
      const items = (atts as { items: Value[] }).items;
      need(items.length % 2 === 0, lx, 'STATUS items not in pairs');
      for (let i = 0; i < items.length; i += 2) {
        need(items[i]!.t === 'atom', lx, 'a STATUS item name that is not an atom');
        const key = (items[i] as { v: string }).v.toUpperCase();
        if (key === 'MAILBOXID') need(isList(items[i + 1]), lx, 'MAILBOXID that is not a list');
        else need(isNumber(items[i + 1]), lx, `STATUS ${key} that is not a number`);
      }
      return;
    }
    case 'SEARCH': {
      for (let i = 0; i < vs.length; i++) {
        const v = vs[i]!;
        if (v.t === 'number') {
          need(v.v !== '0', lx, 'SEARCH with 0');
          continue;
        }
        need(i === vs.length - 1 && isList(v) && v.items.length === 2, lx, 'SEARCH with something other than numbers and (MODSEQ n)');
      }
      return;
    }
    case 'ESEARCH': {
      let i = 0;
      if (isList(vs[0])) {
        const c = vs[0].items;
        need(
          c.length === 2 && c[0]!.t === 'atom' && (c[0] as { v: string }).v.toUpperCase() === 'TAG' && isString(c[1]),
          lx,
          'an ESEARCH correlator that is not (TAG "x")',
        );
        i++;
      }
      if (vs[i]?.t === 'atom' && (vs[i] as { v: string }).v.toUpperCase() === 'UID') i++;
      for (; i < vs.length; i += 2) {
        const k = vs[i];
        const v = vs[i + 1];
        if (k?.t !== 'atom' || v === undefined) return lx.fail('ESEARCH data not in pairs');
        const key = (k as { v: string }).v.toUpperCase();
        if (key === 'ALL') need(v.t === 'atom' || v.t === 'number', lx, 'ESEARCH ALL that is not a sequence set');
        else if (['MIN', 'MAX', 'COUNT', 'MODSEQ'].includes(key)) need(isNumber(v), lx, `ESEARCH ${key} that is not a number`);
        else lx.fail(`an unknown ESEARCH return ${key}`);
      }
      return;
    }
    case 'ID':
      need(
        vs.length === 1 && (vs[0]!.t === 'nil' || (isList(vs[0]) && vs[0].items.length % 2 === 0 && vs[0].items.every(isNString))),
        lx,
        'ID that is not NIL or string pairs',
      );
      return;
    case 'NAMESPACE':
      need(
        vs.length === 3 &&
          vs.every(
            (v) =>
              v.t === 'nil' ||
              (isList(v) && v.items.every((d) => isList(d) && d.items.length >= 2 && isString(d.items[0]) && isNString(d.items[1]))),
          ),
        lx,
        'NAMESPACE of the wrong form',
      );
      return;
    case 'VANISHED': {
      let i = 0;
      if (isList(vs[0])) i++;
      need(vs.length === i + 1 && (vs[i]!.t === 'atom' || vs[i]!.t === 'number'), lx, 'VANISHED without one UID set');
      need(/^\d+(:\d+)?(,\d+(:\d+)?)*$/.test((vs[i] as { v: string }).v), lx, 'VANISHED with something other than a UID set');
      return;
    }
    case 'ACL':
      need(vs.length % 2 === 1 && vs.every(isAString), lx, 'ACL that is not mailbox (identifier rights)*');
      return;
    case 'LISTRIGHTS':
      need(vs.length >= 3 && vs.every(isAString), lx, 'LISTRIGHTS of the wrong form');
      return;
    case 'MYRIGHTS':
      need(vs.length === 2 && vs.every(isAString), lx, 'MYRIGHTS that is not mailbox rights');
      return;
    case 'QUOTA':
      need(
        vs.length === 2 && isAString(vs[0]) && isList(vs[1]) && vs[1].items.length % 3 === 0,
        lx,
        'QUOTA that is not root (resource usage limit)*',
      );
      return;
    case 'QUOTAROOT':
      need(vs.length >= 1 && vs.every(isAString), lx, 'QUOTAROOT of the wrong form');
      return;
    default:
      void ctx;
      lx.fail(`an unknown untagged response ${word}`);
  }
}

/**
 * Checks one response line. Returns what is wrong with it, or undefined.
 * `tags`: when given, a tagged line must carry one of them.
 */
export function validateResponse(line: ResponseLine, ctx: ValidationContext, tags?: ReadonlySet<string>): string | undefined {
  const lx = new Lexer(line.text, line.literals, ctx.utf8);
  try {
    if (lx.try('+')) {
      // continue-req = "+" SP (resp-text / base64)
      lx.expect(' ');
      lx.text(true);
      return undefined;
    }
    if (lx.try('*')) {
      lx.expect(' ');
      untaggedData(lx, ctx);
      return undefined;
    }
    const tag = lx.atomLike((c) => isAstringChar(c) && c !== '+');
    if (tags && !tags.has(tag)) lx.fail(`a tagged reply for the tag ${JSON.stringify(tag)}, which the client did not send`);
    lx.sp();
    const status = lx.atomLike();
    need(TAGGED_STATUS.has(status), lx, `a tagged ${status} (only OK, NO and BAD end a command)`);
    lx.sp();
    respText(lx);
    return undefined;
  } catch (err) {
    if (err instanceof Invalid) return err.message;
    throw err;
  }
}

/** The kind of a response line: tagged (with its tag and status), untagged, or a continuation. */
export function classify(
  line: ResponseLine,
): { kind: 'continuation' } | { kind: 'untagged'; word: string } | { kind: 'tagged'; tag: string; status: string } {
  if (line.text.startsWith('+')) return { kind: 'continuation' };
  if (line.text.startsWith('* ')) {
    const word = /^\* (?:\d+ )?([A-Za-z0-9.-]+)/.exec(line.text)?.[1]?.toUpperCase() ?? '';
    return { kind: 'untagged', word };
  }
  const m = /^(\S+) (\S+)/.exec(line.text);
  return { kind: 'tagged', tag: m?.[1] ?? '', status: m?.[2]?.toUpperCase() ?? '' };
}
