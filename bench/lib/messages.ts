// Deterministic test mail: the same bytes go to both servers. Small, varied
// messages (plain text, some multipart/alternative, some quoted-printable),
// from a fixed set of senders, so that SEARCH FROM and SEARCH BODY have
// predictable hit rates.

/** mulberry32: a tiny, fast, seedable PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SENDERS = [
  'Alice Anderson',
  'Bruno Becker',
  'Chiara Conti',
  'Dmitri Dragunov',
  'Elena Esposito',
  'Farid Farouk',
  'Greta Gustafsson',
  'Hiro Hayashi',
  'Ines Iglesias',
  'Jonas Jansen',
  'Kavya Krishnan',
  'Lars Lindqvist',
  'Maya Moreau',
  'Nikos Nikolaidis',
  'Olga Orlova',
  'Pedro Pereira',
  'Quentin Quirk',
  'Rosa Rossi',
  'Sven Svensson',
  'Tamar Tal',
];

/** The searchable first name of each sender, lower case (e.g. "alice"). */
export const SENDER_KEYS = SENDERS.map((s) => s.split(' ')[0]!.toLowerCase());

const WORDS = (
  'the of and to in is for on that with as by this from at are be or an it not have which you was we will can ' +
  'meeting report budget quarter invoice schedule review project release deadline update server backup network ' +
  'customer contract proposal design draft feedback summary agenda minutes travel hotel flight conference ' +
  'please thanks regards tomorrow monday friday morning afternoon attached document spreadsheet presentation ' +
  'question answer issue ticket incident outage deploy rollback migration database cluster latency throughput ' +
  'coffee lunch dinner weekend holiday birthday garden kitchen bicycle mountain river ocean forest window'
).split(' ');

/** A word put into about 1 in 100 messages of the big mailbox (SEARCH BODY target). */
export const RARE_WORD = 'zebrafish';

function sentence(r: () => number, words: number): string {
  let s = '';
  for (let i = 0; i < words; i++) s += (i ? ' ' : '') + WORDS[Math.floor(r() * WORDS.length)];
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}

function paragraph(r: () => number, bytes: number): string {
  const lines: string[] = [];
  let n = 0;
  while (n < bytes) {
    const l = sentence(r, 6 + Math.floor(r() * 8));
    lines.push(l);
    n += l.length + 2;
  }
  return lines.join('\r\n');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** RFC 5322 date and IMAP INTERNALDATE ("dd-Mon-yyyy hh:mm:ss +0000") of one instant. */
export function dates(ms: number): { rfc5322: string; internal: string } {
  const d = new Date(ms);
  const time = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  return {
    rfc5322: `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time} +0000`,
    internal: `${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${time} +0000`,
  };
}

export interface SeedMessage {
  data: Buffer;
  /** IMAP INTERNALDATE string. */
  internalDate: string;
  flags: string;
}

const BASE_DATE = Date.UTC(2024, 0, 1);

/**
 * Message `i` of the mailbox of `owner`. `small` keeps them to ~200 B..2 KB
 * (the 100,000-message mailbox); otherwise ~0.5..10 KB.
 */
export function seedMessage(owner: string, seed: number, i: number, small: boolean): SeedMessage {
  const r = rng(seed * 1_000_003 + i);
  const sender = Math.floor(r() * SENDERS.length);
  const name = SENDERS[sender]!;
  const from = `${name} <${name.toLowerCase().replace(' ', '.')}@example.org>`;
  const when = BASE_DATE + i * 600_000 + Math.floor(r() * 600_000);
  const { rfc5322, internal } = dates(when);
  const size = small ? 150 + Math.floor(r() * r() * 1800) : 400 + Math.floor(r() * r() * 9600);
  let text = paragraph(r, size);
  if (small && r() < 0.01) text += `\r\nWe saw a ${RARE_WORD} in the lab today.`;
  const subject = sentence(r, 3 + Math.floor(r() * 5)).slice(0, -1);
  const headers =
    `Return-Path: <${name.toLowerCase().replace(' ', '.')}@example.org>\r\n` +
    `Message-ID: <${seed}.${i}.${Math.floor(r() * 1e9)}@example.org>\r\n` +
    `Date: ${rfc5322}\r\n` +
    `From: ${from}\r\n` +
    `To: ${owner}\r\n` +
    `Subject: ${subject}\r\n` +
    'MIME-Version: 1.0\r\n';
  let raw: string;
  const kind = r();
  if (kind < 0.2) {
    const boundary = `=_b${seed}_${i}`;
    raw =
      headers +
      `Content-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text}\r\n` +
      `--${boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>${text.replace(/\r\n/g, '</p>\r\n<p>')}</p></body></html>\r\n` +
      `--${boundary}--\r\n`;
  } else if (kind < 0.3) {
    raw =
      headers +
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
      text.replace(/e\./g, '=65.') +
      '\r\n';
  } else {
    raw = headers + 'Content-Type: text/plain; charset=us-ascii\r\n\r\n' + text + '\r\n';
  }
  const f = r();
  const flags = f < 0.6 ? '\\Seen' : f < 0.65 ? '\\Seen \\Flagged' : f < 0.7 ? '\\Answered \\Seen' : '';
  return { data: Buffer.from(raw, 'latin1'), internalDate: internal, flags };
}

/**
 * A reusable ~4 KB message for APPEND load: one buffer per virtual client, whose
 * Message-ID is rewritten in place before each APPEND (every appended message is
 * distinct, so content-addressed storage cannot deduplicate it).
 */
export class AppendMessage {
  readonly data: Buffer;
  private readonly counterAt: number;
  private counter = 0;

  constructor(owner: string, client: number, size = 4096) {
    const r = rng(0xa11e + client);
    const name = SENDERS[client % SENDERS.length]!;
    const head =
      `Message-ID: <000000000000.c${client}@bench.test>\r\n` +
      `Date: ${dates(Date.UTC(2025, 0, 1)).rfc5322}\r\n` +
      `From: ${name} <${name.toLowerCase().replace(' ', '.')}@example.org>\r\n` +
      `To: ${owner}\r\n` +
      `Subject: ${sentence(r, 5).slice(0, -1)}\r\n` +
      'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n';
    let body = paragraph(r, size - head.length);
    body = body.slice(0, size - head.length - 2).replace(/\r$/, ' ') + '\r\n';
    this.data = Buffer.from(head + body, 'latin1');
    this.counterAt = head.indexOf('<') + 1;
  }

  /** Stamps a new Message-ID and returns the (same) buffer. */
  next(): Buffer {
    this.data.write(String(++this.counter).padStart(12, '0'), this.counterAt, 'latin1');
    return this.data;
  }
}
