// The FETCH response: each requested item of a message written from what the
// mailbox service sent (or the header cache held). ENVELOPE and BODYSTRUCTURE
// are rendered from the structure computed at APPEND; sections are cut from
// the raw bytes with it, top-level header sections from the header block.
import {
  binarySize,
  decodePart,
  formatBodyStructure,
  formatEnvelope,
  headerFields,
  parseMessage,
  sectionBytes,
  type Envelope,
  type MessageStructure,
} from '@kimap/common/mime/index';
import type { FetchedMessage } from '../backend.js';
import { formatDateTime, type ResponseEncoder } from '../protocol/index.js';
import { fetchResponseName, isTopHeader, type FetchItem } from './fetch-items.js';

/** A top-level header section cut from the header block the service sent. */
function headerSection(header: Buffer, item: FetchItem): Buffer {
  if (item.kind !== 'body' || item.section.text === 'HEADER') return header;
  return headerFields(header, item.section.fields ?? [], item.section.text === 'HEADER.FIELDS.NOT');
}

/** A fetched message with what its items derive from it, each once however many items use it: the structure, decoded parts. */
export class FetchedView {
  private parsed?: MessageStructure;
  constructor(readonly message: FetchedMessage) {}

  get structure(): MessageStructure {
    if (!this.parsed) this.parsed = this.message.bodyStructure ?? parseMessage(this.message.raw);
    return this.parsed;
  }

  private readonly decoded = new Map<string, Buffer>();

  /** BINARY data of a part; throws UnknownCteError for an encoding that cannot be undone. */
  binary(part: readonly number[]): Buffer {
    const key = part.join('.');
    let data = this.decoded.get(key);
    if (!data) this.decoded.set(key, (data = decodePart(this.message.raw, this.structure, part) ?? Buffer.alloc(0)));
    return data;
  }

  get envelope(): Envelope {
    return this.message.envelope ?? this.structure.envelope;
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

/** One item of a message's FETCH line; `seen`: this FETCH sets \\Seen, which its FLAGS show. */
export function writeItem(enc: ResponseEncoder, item: FetchItem, v: FetchedView, seen: boolean, utf8: boolean): void {
  const m = v.message;
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
      enc
        .raw('RFC822.HEADER ')
        .literal(m.header.length || !m.raw.length ? m.header : (sectionBytes(m.raw, v.structure, [], 'HEADER') ?? Buffer.alloc(0)));
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
