// Lists of client networks from the settings (CIDR or single addresses, IPv4
// and IPv6): the networks exempt from login throttling, the load balancers
// trusted to send PROXY protocol headers.
import { BlockList, isIP } from 'node:net';

/**
 * Parses entries such as `10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32`; throws,
 * naming `setting`, on one that is not an address or a CIDR network.
 */
export function parseNetworks(entries: readonly string[], setting: string): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [net, bits, extra] = entry.split('/');
    const family = isIP(net ?? '');
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (!family || extra !== undefined || !/^\d+$/.test(String(prefix)) || prefix > (family === 6 ? 128 : 32)) {
      throw new Error(`${setting}: not an address or CIDR network: ${JSON.stringify(entry)}`);
    }
    list.addSubnet(net!, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Whether an address is in one of the networks; an IPv4-mapped IPv6 address matches its IPv4 networks. */
export function inNetworks(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return family === 4 ? list.check(address, 'ipv4') : list.check(address.split('%')[0]!, 'ipv6');
}
