// The trace fields a delivery puts at the top of a message (RFC 5321 4.4):
// Return-Path with the envelope sender, and Received saying from whom, by
// which host, over LMTP, for whom and when.
import type { DeliveryTrace__Output } from '@kimap/common/generated/mail/v1/DeliveryTrace';

export type DeliveryTrace = DeliveryTrace__Output;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** An RFC 5322 date-time in UTC: "Thu, 1 Jan 2026 00:00:00 +0000". */
export function rfc5322Date(ms: number): string {
  const d = new Date(ms);
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time} +0000`;
}

/** A word for a header: printable ASCII without the characters that would end it or its comment. */
const atom = (s: string, fallback: string): string => s.replace(/[^!-~]|[()<>;\\]/g, '').slice(0, 255) || fallback;
/** An address inside angle brackets: no line breaks, controls or brackets (UTF-8 stays, RFC 6531). */
const path = (s: string): string => s.replace(/[\u0000-\u001f\u007f<>]/g, '').slice(0, 512);

function addressLiteral(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (v4) return `[${v4}]`;
  if (ip.includes(':')) return `[IPv6:${atom(ip, '::')}]`;
  return `[${atom(ip, '0.0.0.0')}]`;
}

/**
 * Return-Path and Received as header lines ending in CRLF. `recipient` is
 * named (`for <...>`) only when the copy is for one address: a copy shared by
 * several must not tell one recipient of another.
 */
export function traceHeader(trace: DeliveryTrace, recipient: string | undefined): Buffer {
  const lines = [
    `Return-Path: <${path(trace.returnPath)}>`,
    `Received: from ${atom(trace.clientName, 'unknown')} (${addressLiteral(trace.clientAddress)})`,
    `\tby ${atom(trace.receivedBy, 'localhost')} (kimap) with LMTP id ${atom(trace.id, '-')}`,
  ];
  const date = rfc5322Date(Number(trace.timeMs) || Date.now());
  if (recipient !== undefined) lines.push(`\tfor <${path(recipient)}>; ${date}`);
  else lines[lines.length - 1] += `; ${date}`;
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}
