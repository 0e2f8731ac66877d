// The PROXY protocol header (HAProxy's proxy-protocol.txt) that a load
// balancer puts before a connection's first byte to say whom it forwards:
// version 1 is one line of text, version 2 a binary block. Parsed from the
// bytes received so far, so that a caller can ask again as more arrive.
import { isIPv4, isIPv6 } from 'node:net';

/** Which versions a listener takes (PROXY_PROTOCOL). */
export type ProxyVersions = 'v1' | 'v2' | 'any';

/** Why a header was refused: the `reason` label of kimap_proxy_header_rejected_total. */
export type ProxyRejection =
  /** The peer is not in PROXY_TRUSTED_NETWORKS. */
  | 'untrusted'
  /** No complete header within PROXY_HEADER_TIMEOUT_MS. */
  | 'timeout'
  /** The peer closed the connection in the middle of its header. */
  | 'truncated'
  /** Not a PROXY header, or one that breaks the format. */
  | 'malformed'
  /** Longer than a header may be (v1: 107 bytes; v2: PROXY_V2_MAX_BYTES). */
  | 'too_long'
  /** Well formed, but of a version not taken here or for a protocol other than TCP over IPv4 or IPv6. */
  | 'unsupported';

export interface ProxyEndpoint {
  address: string;
  port: number;
}

export interface ProxyHeader {
  version: 1 | 2;
  /**
   * The client and the address it connected to; undefined for a connection
   * the balancer makes for itself (v2 LOCAL, v1 UNKNOWN: a health check),
   * whose client is the peer itself.
   */
  source?: ProxyEndpoint;
  destination?: ProxyEndpoint;
  /** The header's bytes; what follows is the client's. */
  length: number;
}

export type ProxyParse =
  { status: 'incomplete' } | { status: 'done'; header: ProxyHeader } | { status: 'rejected'; reason: ProxyRejection; detail: string };

/** A v1 line's largest size, CRLF included (the specification's own bound). */
export const PROXY_V1_MAX_BYTES = 107;
/** The largest v2 header taken, TLVs included (AWS and GCP send a few dozen bytes of them). */
export const PROXY_V2_MAX_BYTES = 4096;

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_FIXED = 16;

const INCOMPLETE: ProxyParse = { status: 'incomplete' };
const reject = (reason: ProxyRejection, detail: string): ProxyParse => ({ status: 'rejected', reason, detail });

/** Whether `data` starts like `prefix` as far as it goes. */
function startsLike(data: Buffer, prefix: Buffer): boolean {
  const n = Math.min(data.length, prefix.length);
  return data.subarray(0, n).equals(prefix.subarray(0, n));
}

/**
 * Reads a header from the start of `data`: done (with its length), incomplete
 * (more bytes needed; never beyond the bounds above), or rejected, as soon as
 * the bytes so far can start no header taken.
 */
export function parseProxyHeader(data: Buffer, versions: ProxyVersions): ProxyParse {
  if (data.length === 0) return INCOMPLETE;
  if (startsLike(data, V1_PREFIX)) return versions === 'v2' ? reject('unsupported', 'a v1 header where only v2 is taken') : parseV1(data);
  if (startsLike(data, V2_SIGNATURE))
    return versions === 'v1' ? reject('unsupported', 'a v2 header where only v1 is taken') : parseV2(data);
  return reject('malformed', 'no PROXY header signature');
}

function parseV1(data: Buffer): ProxyParse {
  const lf = data.indexOf(0x0a);
  if (lf < 0) return data.length >= PROXY_V1_MAX_BYTES ? reject('too_long', `no line end within ${PROXY_V1_MAX_BYTES} bytes`) : INCOMPLETE;
  if (lf + 1 > PROXY_V1_MAX_BYTES) return reject('too_long', `a line of ${lf + 1} bytes`);
  if (data[lf - 1] !== 0x0d) return reject('malformed', 'the line does not end in CRLF');
  const line = data.toString('latin1', V1_PREFIX.length, lf - 1);
  const fields = line.split(' ');
  const length = lf + 1;
  // UNKNOWN: the balancer could not tell (or made the connection itself); whatever follows is ignored.
  if (fields[0] === 'UNKNOWN') return { status: 'done', header: { version: 1, length } };
  if (fields[0] !== 'TCP4' && fields[0] !== 'TCP6') return reject('malformed', 'the protocol is not TCP4, TCP6 or UNKNOWN');
  if (fields.length !== 5) return reject('malformed', 'not five fields');
  const [proto, src, dst, sport, dport] = fields as [string, string, string, string, string];
  const valid = proto === 'TCP4' ? isIPv4 : (a: string) => isIPv6(a) && !a.includes('%');
  if (!valid(src) || !valid(dst)) return reject('malformed', `an address that is not ${proto === 'TCP4' ? 'IPv4' : 'IPv6'}`);
  const ports = [sport, dport].map((p) => (/^(0|[1-9]\d{0,4})$/.test(p) ? Number(p) : NaN));
  if (ports.some((p) => !(p <= 65535))) return reject('malformed', 'a port that is not a number from 0 to 65535');
  const address = (a: string) => (proto === 'TCP4' ? a : canonicalIpv6(a));
  return {
    status: 'done',
    header: {
      version: 1,
      length,
      source: { address: address(src), port: ports[0]! },
      destination: { address: address(dst), port: ports[1]! },
    },
  };
}

function parseV2(data: Buffer): ProxyParse {
  if (data.length < V2_FIXED) return INCOMPLETE;
  const version = data[12]! >> 4;
  const command = data[12]! & 0x0f;
  const family = data[13]! >> 4;
  const transport = data[13]! & 0x0f;
  const length = V2_FIXED + data.readUInt16BE(14);
  if (version !== 2) return reject('malformed', `version ${version}`);
  if (command > 1) return reject('malformed', `command ${command}`);
  if (family > 3) return reject('malformed', `address family ${family}`);
  if (transport > 2) return reject('malformed', `transport ${transport}`);
  if (length > PROXY_V2_MAX_BYTES) return reject('too_long', `${length} bytes`);
  if (data.length < length) return INCOMPLETE;
  // LOCAL: the balancer's own connection (a health check); the addresses, if any, are ignored.
  if (command === 0) return { status: 'done', header: { version: 2, length } };
  // PROXY over TCP (STREAM) from IPv4 (INET) or IPv6 (INET6) is all a mail listener can be handed.
  if (transport !== 1 || (family !== 1 && family !== 2)) {
    return reject('unsupported', `family ${family}, transport ${transport}: only TCP over IPv4 or IPv6`);
  }
  const body = data.subarray(V2_FIXED, length);
  const size = family === 1 ? 4 : 16;
  if (body.length < 2 * size + 4) return reject('malformed', `${body.length} bytes of addresses, ${2 * size + 4} needed`);
  const address = (at: number) =>
    family === 1 ? [...body.subarray(at, at + 4)].join('.') : canonicalIpv6(ipv6Text(body.subarray(at, at + 16)));
  // What follows the addresses (TLVs: the balancer's own data) is not needed here.
  return {
    status: 'done',
    header: {
      version: 2,
      length,
      source: { address: address(0), port: body.readUInt16BE(2 * size) },
      destination: { address: address(size), port: body.readUInt16BE(2 * size + 2) },
    },
  };
}

function ipv6Text(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/**
 * An IPv6 address in its shortest form (RFC 5952, through the WHATWG URL
 * host serialiser), and an IPv4-mapped one as the IPv4 address it is, so a
 * client is named alike however the balancer wrote it.
 */
export function canonicalIpv6(address: string): string {
  const text = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(text);
  if (!mapped) return text;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
