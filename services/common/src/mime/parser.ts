// parseMessage: the MIME tree of a raw message as byte offsets, computed in
// one pass. Never throws on malformed input: like Dovecot, whatever the
// bytes are, they end up as some part's header or body.
//
// Boundary rules (RFC 2046 as Dovecot applies them): a boundary line is
// "--" + boundary at the start of a line, where the boundary only has to be
// a prefix of the rest of the line; of the active boundaries the longest
// match wins, the innermost on ties. Finding an outer boundary closes the
// inner parts. A body ends before the CRLF that precedes its boundary line.
// A header is cut short by a boundary line too (the part then has no body).
import { CR, LF, LineIndex, startsWithDashes } from './bytes.js';
import { contentInfo } from './content.js';
import { emptyEnvelope, envelopeOf } from './envelope.js';
import { HeaderFields, isBlankLine, lineAt } from './header.js';
import { STRUCTURE_VERSION, type MessageStructure, type MimePart, type ParseLimits } from './types.js';

interface Frame {
  part: MimePart;
  depth: number;
  inMultipart: boolean;
  inDigest: boolean;
}

interface Boundary {
  owner: MimePart;
  bytes: Buffer;
}

const NL_DASHES = Buffer.from('\n--', 'latin1');
const BOUNDARY_LINE_MAX = 84; // a boundary line longer than this is not searched further (Dovecot)

function newPart(headerStart: number): MimePart {
  return {
    kind: 'text',
    headerStart,
    headerEnd: headerStart,
    bodyEnd: headerStart,
    type: null,
    subtype: null,
    params: [],
    id: null,
    description: null,
    encoding: null,
    md5: null,
    disposition: null,
    language: null,
    location: null,
    size: 0,
    lines: 0,
  };
}

type Step = { header: boolean; pos: number } | null;

class Parser {
  private readonly len: number;
  private readonly maxDepth: number;
  private readonly maxParts: number;
  private readonly stack: Frame[] = [];
  private boundaries: Boundary[] = [];
  private partCount = 0;
  limited = false;
  rootFields: HeaderFields | null = null;

  constructor(
    private readonly raw: Buffer,
    limits: ParseLimits,
  ) {
    this.len = raw.length;
    this.maxDepth = Math.max(1, limits.maxDepth ?? 100);
    this.maxParts = Math.max(1, limits.maxParts ?? 10000);
  }

  run(): MimePart {
    const root = this.open(0, 0, false, false);
    let step: Step = { header: true, pos: 0 };
    while (step) step = step.header ? this.readHeader(step.pos) : this.scanBody(step.pos);
    return root;
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  private open(headerStart: number, depth: number, inMultipart: boolean, inDigest: boolean): MimePart {
    const part = newPart(headerStart);
    this.stack.push({ part, depth, inMultipart, inDigest });
    this.partCount++;
    if (this.partCount >= this.maxParts && this.boundaries.length > 0) {
      // No more parts may start: from here on everything is this part's.
      this.boundaries = [];
      this.limited = true;
    }
    return part;
  }

  /** The header of the top part, from a line start. */
  private readHeader(start: number): Step {
    const raw = this.raw;
    const frame = this.top();
    const fields = new HeaderFields(raw);
    let pos = start;
    let lastNl = 0;
    for (;;) {
      if (pos >= this.len) {
        this.endHeader(frame, fields, this.len, false);
        return this.afterHeader(frame, this.len);
      }
      if (this.boundaries.length > 0 && startsWithDashes(raw, pos)) {
        const b = this.matchBoundary(pos);
        if (b && b.owner !== frame.part) {
          // Cut short by a boundary: the line break before it is not the
          // header's but belongs to the enclosing parts (as in Dovecot).
          const end = pos - lastNl;
          this.endHeader(frame, fields, end, true);
          if (frame.part.kind === 'message') {
            const child = newPart(end);
            frame.part.children = [child];
            frame.part.envelope = emptyEnvelope();
          }
          this.stack.pop();
          return this.boundaryAt(b, pos, pos);
        }
      }
      if (isBlankLine(raw, pos)) {
        const next = raw[pos] === CR ? pos + 2 : pos + 1;
        this.endHeader(frame, fields, next, false);
        return this.afterHeader(frame, next);
      }
      const line = lineAt(raw, pos);
      fields.addLine(pos, line.contentEnd, line.next);
      lastNl = line.next - line.contentEnd;
      pos = line.next;
    }
  }

  private endHeader(frame: Frame, fields: HeaderFields, headerEnd: number, cut: boolean): void {
    const part = frame.part;
    part.headerEnd = headerEnd;
    part.bodyEnd = headerEnd;
    const info = contentInfo(this.raw, fields.fields, frame.inMultipart, frame.inDigest);
    part.kind = info.kind;
    part.type = info.type;
    part.subtype = info.subtype;
    part.params = info.params;
    part.id = info.id;
    part.description = info.description;
    part.encoding = info.encoding;
    part.md5 = info.md5;
    part.disposition = info.disposition;
    part.language = info.language;
    part.location = info.location;

    const container = part.kind === 'multipart' || part.kind === 'message';
    if (container && (frame.depth >= this.maxDepth - 1 || this.partCount >= this.maxParts)) {
      part.kind = part.type === null ? 'text' : 'basic';
      this.limited = true;
    }
    // A container type on a part not parsed as one cannot be shown as such
    // (BODYSTRUCTURE would lack its children): Dovecot says
    // application/octet-stream, and so do we.
    const t = part.type?.toLowerCase();
    if (
      (part.kind !== 'multipart' && t === 'multipart') ||
      (part.kind !== 'message' && t === 'message' && part.subtype?.toLowerCase() === 'rfc822')
    ) {
      part.type = 'application';
      part.subtype = 'octet-stream';
    }
    if (part.kind === 'multipart') {
      part.children = [];
      if (!cut && info.boundary !== null) this.boundaries.push({ owner: part, bytes: Buffer.from(info.boundary, 'utf8') });
    }
    if (frame.depth === 0) this.rootFields = fields;
    else {
      const parent = this.stack[this.stack.length - 2]?.part;
      if (parent?.kind === 'message') parent.envelope = envelopeOf(this.raw, fields.fields);
    }
  }

  /** After a complete header: the body, or for message/rfc822 the embedded message's header. */
  private afterHeader(frame: Frame, bodyStart: number): Step {
    if (frame.part.kind === 'message') {
      const child = this.open(bodyStart, frame.depth + 1, false, false);
      frame.part.children = [child];
      return { header: true, pos: bodyStart };
    }
    return { header: false, pos: bodyStart };
  }

  /** Body of the top part from a line start to the next boundary line, or to EOF. */
  private scanBody(pos: number): Step {
    const raw = this.raw;
    if (this.boundaries.length > 0) {
      if (startsWithDashes(raw, pos)) {
        const b = this.matchBoundary(pos);
        if (b) return this.boundaryAt(b, pos, pos);
      }
      for (let i = raw.indexOf(NL_DASHES, pos); i >= 0; i = raw.indexOf(NL_DASHES, i + 1)) {
        const b = this.matchBoundary(i + 1);
        if (b) return this.boundaryAt(b, i + 1, i > pos && raw[i - 1] === CR ? i - 1 : i);
      }
    }
    for (const f of this.stack) f.part.bodyEnd = this.len;
    this.stack.length = 0;
    return null;
  }

  /**
   * The boundary line at `line`: the parts open inside its owner end at
   * `end`; then the next part starts, or the owner's epilogue follows.
   */
  private boundaryAt(b: Boundary, line: number, end: number): Step {
    while (this.stack.length > 0 && this.top().part !== b.owner) {
      this.top().part.bodyEnd = end;
      this.stack.pop();
    }
    const raw = this.raw;
    const n = b.bytes.length;
    const data = line + 2;
    const close = data + n + 1 < this.len && raw[data + n] === 0x2d && raw[data + n + 1] === 0x2d;
    const k = this.boundaries.indexOf(b);
    this.boundaries.length = close ? k : k + 1;
    const lf = raw.indexOf(LF, data);
    if (close || lf < 0) return { header: false, pos: lf < 0 ? this.len : lf + 1 };
    const owner = this.top();
    const child = this.open(lf + 1, owner.depth + 1, true, owner.part.subtype?.toLowerCase() === 'digest');
    owner.part.children!.push(child);
    return { header: true, pos: lf + 1 };
  }

  /** The active boundary that the line at `line` (starting with "--") is, if any. */
  private matchBoundary(line: number): Boundary | null {
    const raw = this.raw;
    const data = line + 2;
    const lf = raw.indexOf(LF, data);
    let size: number;
    if (lf >= 0) {
      size = lf - data;
      if (size > 0 && raw[data + size - 1] === CR) size--;
      if (size > 2 && raw[data + size - 1] === 0x2d && raw[data + size - 2] === 0x2d) size -= 2;
    } else {
      size = Math.min(this.len - data, BOUNDARY_LINE_MAX);
    }
    let best: Boundary | null = null;
    for (let k = this.boundaries.length - 1; k >= 0; k--) {
      const b = this.boundaries[k]!;
      const n = b.bytes.length;
      if (n > size || (best && best.bytes.length >= n)) continue;
      if (raw.compare(b.bytes, 0, n, data, data + n) !== 0) continue;
      best = b;
      if (n === size) break;
    }
    return best;
  }
}

/** Computes sizes and line counts once the offsets are known. */
function measure(part: MimePart, idx: LineIndex): void {
  part.size = idx.virtualSize(part.headerEnd, part.bodyEnd);
  part.lines = idx.lines(part.headerEnd, part.bodyEnd);
  if (part.children) for (const c of part.children) measure(c, idx);
}

/** The MIME structure of a raw message (see MessageStructure). */
export function parseMessage(raw: Buffer, limits: ParseLimits = {}): MessageStructure {
  const parser = new Parser(raw, limits);
  const root = parser.run();
  const idx = new LineIndex(raw);
  measure(root, idx);
  return {
    version: STRUCTURE_VERSION,
    rawSize: raw.length,
    size: idx.virtualSize(0, raw.length),
    bareLf: idx.hasBareLf,
    limited: parser.limited,
    envelope: envelopeOf(raw, parser.rootFields?.fields ?? []),
    root,
  };
}
