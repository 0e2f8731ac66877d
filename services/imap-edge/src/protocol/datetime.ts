/**
 * IMAP `date` (`dd-Mon-yyyy`, used by SEARCH) and `date-time`
 * (`dd-Mon-yyyy hh:mm:ss +zzzz`, used by APPEND and INTERNALDATE).
 */

import { ParseError } from './errors.js';

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** A calendar date with no time zone (SEARCH BEFORE/ON/SINCE compare in the server's zone). */
export interface ImapDate {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  readonly day: number;
}

/** An instant plus the zone it was written in (kept so INTERNALDATE can echo it). */
export interface ImapDateTime {
  readonly date: Date;
  /** Minutes east of UTC, e.g. +0200 -> 120. */
  readonly offsetMinutes: number;
}

function monthIndex(s: string): number {
  const lower = s.toLowerCase();
  const i = MONTHS.findIndex((m) => m.toLowerCase() === lower);
  if (i < 0) throw new ParseError(`Invalid month "${s.slice(0, 10)}"`);
  return i + 1;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const DATE_RE = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/;
const DATE_TIME_RE = /^([ \d]?\d)-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** Parse `date-text` (without quotes): `1-Feb-1994` or `01-Feb-1994`. */
export function parseDate(text: string): ImapDate {
  const m = DATE_RE.exec(text);
  if (!m) throw new ParseError('Invalid date, expected dd-Mon-yyyy');
  return checkDate(Number(m[1]), monthIndex(m[2]!), Number(m[3]));
}

function checkDate(day: number, month: number, year: number): ImapDate {
  if (day < 1 || day > daysInMonth(year, month)) throw new ParseError('Invalid day of month');
  return { year, month, day };
}

/**
 * Parse the inside of a quoted `date-time`: ` 5-Jan-2024 10:00:00 +0100`.
 * `date-day-fixed` is SP DIGIT / 2DIGIT; a bare single digit is also accepted
 * because real clients send it.
 */
export function parseDateTime(text: string): ImapDateTime {
  const m = DATE_TIME_RE.exec(text);
  if (!m) throw new ParseError('Invalid date-time, expected "dd-Mon-yyyy hh:mm:ss +zzzz"');
  const { year, month, day } = checkDate(Number(m[1]!.trim()), monthIndex(m[2]!), Number(m[3]));
  const [hh, mm, ss, zh, zm] = [m[4], m[5], m[6], m[8], m[9]].map(Number) as [number, number, number, number, number];
  if (hh > 23 || mm > 59 || ss > 60 || zm > 59) throw new ParseError('Invalid time in date-time');
  const offsetMinutes = (m[7] === '-' ? -1 : 1) * (zh * 60 + zm);
  // A leap second (60) is folded into the next minute; Date cannot represent it.
  const utc = Date.UTC(year, month - 1, day, hh, mm, ss) - offsetMinutes * 60_000;
  return { date: new Date(utc), offsetMinutes };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `dd-Mon-yyyy hh:mm:ss +zzzz` (without quotes), in the given zone. Day is space-padded (`date-day-fixed`). */
export function formatDateTime(date: Date, offsetMinutes = 0): string {
  const d = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${String(d.getUTCDate()).padStart(2, ' ')}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ` +
    `${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`
  );
}

/** `d-Mon-yyyy`. */
export function formatDate(date: ImapDate): string {
  return `${date.day}-${MONTHS[date.month - 1]}-${date.year}`;
}
