// IMAP renderings of ENVELOPE, BODY and BODYSTRUCTURE, in Dovecot's format
// (which field uses which quoting, defaults such as charset us-ascii and
// "7bit", parameter case as written).
import { humanString, nstring, nstringNoLf, type QuoteOptions } from './quote.js';
import type { Address, Envelope, MessageStructure, MimeParam, MimePart } from './types.js';

export type { QuoteOptions } from './quote.js';

const EMPTY_BODY = '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)';
const EMPTY_BODYSTRUCTURE = '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)';

function addressList(list: Address[] | null, opts: QuoteOptions): string {
  if (list === null || list.length === 0) return 'NIL';
  let out = '(';
  for (const a of list) {
    out += `(${a.name === null ? 'NIL' : humanString(a.name, opts)} ${nstring(a.route, opts)} ${nstring(a.mailbox, opts)} ${nstring(a.host, opts)})`;
  }
  return out + ')';
}

/** The ENVELOPE list, parentheses included. Sender and Reply-To fall back to From. */
export function formatEnvelope(env: Envelope, opts: QuoteOptions = {}): string {
  return (
    '(' +
    [
      nstringNoLf(env.date, opts),
      env.subject === null ? 'NIL' : humanString(env.subject, opts),
      addressList(env.from, opts),
      addressList(env.sender ?? env.from, opts),
      addressList(env.replyTo ?? env.from, opts),
      addressList(env.to, opts),
      addressList(env.cc, opts),
      addressList(env.bcc, opts),
      nstringNoLf(env.inReplyTo, opts),
      nstringNoLf(env.messageId, opts),
    ].join(' ') +
    ')'
  );
}

function params(list: readonly MimeParam[], defaultCharset: boolean, opts: QuoteOptions): string {
  const items: string[] = [];
  let charset = false;
  for (const p of list) {
    if (p.name.toLowerCase() === 'charset') charset = true;
    items.push(nstring(p.name, opts), nstring(p.value, opts));
  }
  if (defaultCharset && !charset) items.push('"charset"', '"us-ascii"');
  return items.length === 0 ? 'NIL' : `(${items.join(' ')})`;
}

/** disposition language location: the extension data every body type ends with. */
function commonExtension(part: MimePart, opts: QuoteOptions): string {
  const disp =
    part.disposition === null ? 'NIL' : `(${nstring(part.disposition.value, opts)} ${params(part.disposition.params, false, opts)})`;
  const lang = part.language === null ? 'NIL' : `(${part.language.map((l) => nstring(l, opts)).join(' ')})`;
  return `${disp} ${lang} ${nstringNoLf(part.location, opts)}`;
}

function body(part: MimePart, extensible: boolean, opts: QuoteOptions): string {
  if (part.kind === 'multipart') {
    const children = part.children ?? [];
    let out =
      children.length === 0
        ? extensible
          ? EMPTY_BODYSTRUCTURE
          : EMPTY_BODY
        : children.map((c) => `(${body(c, extensible, opts)})`).join('');
    out += ` ${nstring(part.subtype ?? '', opts)}`;
    if (extensible) out += ` ${params(part.params, false, opts)} ${commonExtension(part, opts)}`;
    return out;
  }
  let out: string;
  let text: boolean;
  if (part.kind === 'message') {
    out = '"message" "rfc822"';
    text = false;
  } else if (part.type === null) {
    out = '"text" "plain"';
    text = true;
  } else {
    out = `${nstring(part.type, opts)} ${nstring(part.subtype ?? '', opts)}`;
    text = part.type.toLowerCase() === 'text';
  }
  out += ` ${params(part.params, text, opts)} ${nstringNoLf(part.id, opts)} ${nstringNoLf(part.description, opts)}`;
  out += ` ${part.encoding === null ? '"7bit"' : nstring(part.encoding, opts)} ${part.size}`;
  if (text) {
    out += ` ${part.lines}`;
  } else if (part.kind === 'message') {
    const inner = part.children?.[0];
    const env = part.envelope;
    out += ` ${env ? formatEnvelope(env, opts) : '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)'} (${inner ? body(inner, extensible, opts) : EMPTY_BODY.slice(1, -1)}) ${part.lines}`;
  }
  if (extensible) out += ` ${nstringNoLf(part.md5, opts)} ${commonExtension(part, opts)}`;
  return out;
}

/** BODYSTRUCTURE (extensible = true) or BODY (false), parentheses included. */
export function formatBodyStructure(structure: MessageStructure | MimePart, extensible: boolean, opts: QuoteOptions = {}): string {
  const root = 'root' in structure ? structure.root : structure;
  return `(${body(root, extensible, opts)})`;
}
