// ENVELOPE (RFC 9051 7.5.2) from a header block. Values stay raw: RFC 9051
// does not decode encoded-words in ENVELOPE, and neither does Dovecot.
import { parseAddressList } from './address.js';
import { fieldValue, parseHeaderBlock, type HeaderField } from './header.js';
import type { Envelope } from './types.js';

type Key = keyof Envelope;

const FIELDS: Record<string, Key> = {
  date: 'date',
  subject: 'subject',
  from: 'from',
  sender: 'sender',
  'reply-to': 'replyTo',
  to: 'to',
  cc: 'cc',
  bcc: 'bcc',
  'in-reply-to': 'inReplyTo',
  'message-id': 'messageId',
};

const STRING_KEYS = new Set<Key>(['date', 'subject', 'inReplyTo', 'messageId']);

export function emptyEnvelope(): Envelope {
  return {
    date: null,
    subject: null,
    from: null,
    sender: null,
    replyTo: null,
    to: null,
    cc: null,
    bcc: null,
    inReplyTo: null,
    messageId: null,
  };
}

/** ENVELOPE of already split header fields. When a field repeats, the last one wins (as in Dovecot). */
export function envelopeOf(raw: Buffer, fields: readonly HeaderField[]): Envelope {
  const env = emptyEnvelope();
  for (const f of fields) {
    const key = FIELDS[f.name.toLowerCase()];
    if (!key) continue;
    const value = fieldValue(raw, f);
    if (value === null) continue;
    if (STRING_KEYS.has(key)) (env as unknown as Record<Key, string | null>)[key] = value;
    else (env as unknown as Record<Key, unknown>)[key] = parseAddressList(value);
  }
  return env;
}

/** ENVELOPE of a header block (the bytes of a message header, with or without the blank line). */
export function envelope(header: Buffer): Envelope {
  return envelopeOf(header, parseHeaderBlock(header));
}
