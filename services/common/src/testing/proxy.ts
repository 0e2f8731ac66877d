// PROXY protocol headers as a load balancer writes them, for tests.
import { isIPv4 } from 'node:net';

/** A version 1 line naming a TCP client (TCP4 or TCP6 by the address). */
export function proxyV1(source: string, sourcePort = 12345, destination?: string, destinationPort = 143): Buffer {
  const four = isIPv4(source);
  const to = destination ?? (four ? '192.0.2.1' : '2001:db8::1');
  return Buffer.from(`PROXY ${four ? 'TCP4' : 'TCP6'} ${source} ${to} ${sourcePort} ${destinationPort}\r\n`, 'latin1');
}

const SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

function addressBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  // Expanded through the URL serialiser's canonical form; a trailing dotted IPv4 part becomes two groups.
  const text = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const b = Buffer.alloc(16);
  all.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return b;
}

/** A version 2 block: PROXY over TCP (IPv4 or IPv6 by the source address) or LOCAL, with optional TLVs. */
export function proxyV2(
  o: {
    command?: 'proxy' | 'local';
    source?: string;
    sourcePort?: number;
    destination?: string;
    destinationPort?: number;
    tlvs?: Buffer;
  } = {},
): Buffer {
  const source = o.source;
  const four = source === undefined || isIPv4(source);
  const family = source === undefined ? 0x00 : four ? 0x11 : 0x21;
  let addresses = Buffer.alloc(0);
  if (source !== undefined) {
    const destination = o.destination ?? (four ? '192.0.2.1' : '2001:db8::1');
    const ports = Buffer.alloc(4);
    ports.writeUInt16BE(o.sourcePort ?? 12345, 0);
    ports.writeUInt16BE(o.destinationPort ?? 993, 2);
    addresses = Buffer.concat([addressBytes(source), addressBytes(destination), ports]);
  }
  const body = Buffer.concat([addresses, o.tlvs ?? Buffer.alloc(0)]);
  const head = Buffer.alloc(4);
  head[0] = o.command === 'local' ? 0x20 : 0x21;
  head[1] = family;
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([SIGNATURE, head, body]);
}
