// The PROXY protocol header parser: version 1 lines and version 2 blocks in,
// the client's address (or a refusal and its reason) out, also byte by byte;
// the network lists and the settings around it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inNetworks, parseNetworks } from '../src/networks.js';
import { ProxyGate, proxyProtocolFromEnv } from '../src/proxy-gate.js';
import { parseProxyHeader, type ProxyParse, type ProxyVersions } from '../src/proxy-header.js';
import { proxyV2 } from '../src/testing/proxy.js';
import { createLogger } from '../src/log.js';

const v1 = (line: string) => Buffer.from(line, 'latin1');

/**
 * The result of parsing `data`, checking it byte by byte: every prefix short
 * of the header is incomplete, and the first answer that is not comes exactly
 * at the header's end (or, for a refusal, with the same reason).
 */
function byteByByte(data: Buffer, versions: ProxyVersions = 'any'): ProxyParse {
  const whole = parseProxyHeader(data, versions);
  for (let n = 0; n <= data.length; n++) {
    const part = parseProxyHeader(data.subarray(0, n), versions);
    if (part.status === 'incomplete') continue;
    if (part.status === 'done') {
      assert.equal(whole.status, 'done');
      assert.equal(part.header.length, n, 'done as soon as the header is whole');
    } else {
      assert.equal(whole.status, 'rejected', `refused early at ${n} bytes: ${JSON.stringify(part)}`);
      assert.equal(part.reason, (whole as { reason: string }).reason);
    }
    return whole;
  }
  assert.equal(whole.status, 'incomplete');
  return whole;
}

const done = (r: ProxyParse) => {
  assert.equal(r.status, 'done', JSON.stringify(r));
  return r.header;
};
const reason = (r: ProxyParse) => (r.status === 'rejected' ? r.reason : r.status);

describe('PROXY header, version 1', () => {
  test('TCP4 and TCP6: the source is the client; the length covers the line, what follows is left', () => {
    const data = v1('PROXY TCP4 203.0.113.7 192.0.2.1 51234 143\r\na1 CAPABILITY\r\n');
    const h = done(byteByByte(data));
    assert.deepEqual(h.source, { address: '203.0.113.7', port: 51234 });
    assert.deepEqual(h.destination, { address: '192.0.2.1', port: 143 });
    assert.equal(data.subarray(h.length).toString(), 'a1 CAPABILITY\r\n');
    const six = done(byteByByte(v1('PROXY TCP6 2001:DB8:0:0::7 2001:db8::1 65535 993\r\n')));
    assert.deepEqual(six.source, { address: '2001:db8::7', port: 65535 }, 'IPv6 in its shortest lower-case form');
    assert.equal(done(parseProxyHeader(v1('PROXY TCP6 ::ffff:198.51.100.4 ::1 1 2\r\n'), 'v1')).source?.address, '198.51.100.4');
  });

  test('UNKNOWN: no client named (the peer is the client); anything after it on the line is ignored', () => {
    assert.equal(done(byteByByte(v1('PROXY UNKNOWN\r\n'))).source, undefined);
    const h = done(byteByByte(v1('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\nrest')));
    assert.equal(h.length, 'PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n'.length);
  });

  test('the longest line (107 bytes) is taken; a longer one is too long, without waiting for its end', () => {
    const widest = `PROXY TCP6 ${'ffff:'.repeat(7)}ffff ${'ffff:'.repeat(7)}ffff 65535 65535\r\n`;
    assert.equal(done(byteByByte(v1(widest), 'v1')).source?.port, 65535);
    const longest = `PROXY UNKNOWN ${'x'.repeat(107 - 16)}\r\n`;
    assert.equal(longest.length, 107);
    assert.equal(done(byteByByte(v1(longest))).length, 107);
    assert.equal(reason(byteByByte(v1(`PROXY UNKNOWN ${'x'.repeat(107 - 15)}\r\n`))), 'too_long');
    assert.equal(reason(parseProxyHeader(v1(`PROXY TCP4 ${'1'.repeat(200)}`), 'v1')), 'too_long');
  });

  test('malformed lines are refused', () => {
    for (const bad of [
      'a1 LOGIN user pass\r\n',
      'GET / HTTP/1.1\r\n',
      'proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n',
      'PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n',
      'PROXY TCP4 1.2.3.400 5.6.7.8 1 2\r\n',
      'PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n',
      'PROXY TCP6 1.2.3.4 ::1 1 2\r\n',
      'PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n',
      'PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n',
      'PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n',
      'PROXY\r\n',
    ]) {
      assert.equal(reason(byteByByte(v1(bad))), 'malformed', JSON.stringify(bad));
    }
  });

  test('a version not taken is unsupported', () => {
    assert.equal(reason(parseProxyHeader(v1('PROXY UNKNOWN\r\n'), 'v2')), 'unsupported');
    assert.equal(reason(parseProxyHeader(proxyV2({ source: '1.2.3.4' }), 'v1')), 'unsupported');
  });
});

describe('PROXY header, version 2', () => {
  test('PROXY over TCP4 and TCP6: the source is the client; TLVs are skipped', () => {
    const four = proxyV2({ source: '203.0.113.9', sourcePort: 40000, destination: '192.0.2.1', destinationPort: 993 });
    const h = done(byteByByte(Buffer.concat([four, Buffer.from('\x16\x03\x01')])));
    assert.deepEqual(h.source, { address: '203.0.113.9', port: 40000 });
    assert.deepEqual(h.destination, { address: '192.0.2.1', port: 993 });
    assert.equal(h.length, 16 + 12);
    // AWS sends its VPC endpoint ID as a TLV; a few hundred bytes of them are taken.
    const tlvs = Buffer.concat([Buffer.from([0xea, 0x00, 0x05, 0x01]), Buffer.from('vpce'), Buffer.alloc(300, 0x20)]);
    const six = proxyV2({ source: '2001:db8:1:2::7', destination: '2001:db8::1', tlvs });
    const h6 = done(byteByByte(six));
    assert.deepEqual(h6.source, { address: '2001:db8:1:2::7', port: 12345 });
    assert.equal(h6.length, 16 + 36 + tlvs.length);
    assert.equal(
      done(parseProxyHeader(proxyV2({ source: '::ffff:198.51.100.4', destination: '::1' }), 'v2')).source?.address,
      '198.51.100.4',
    );
  });

  test('LOCAL (the balancer’s health check): no client named, addresses ignored', () => {
    assert.equal(done(byteByByte(proxyV2({ command: 'local' }))).source, undefined);
    assert.equal(done(byteByByte(proxyV2({ command: 'local', source: '1.2.3.4' }))).source, undefined);
  });

  test('bad signature, version, command or family: malformed', () => {
    const good = proxyV2({ source: '1.2.3.4' });
    const with_ = (at: number, value: number) => {
      const b = Buffer.from(good);
      b[at] = value;
      return b;
    };
    assert.equal(reason(byteByByte(with_(7, 0x52))), 'malformed', 'signature');
    assert.equal(reason(byteByByte(with_(12, 0x11))), 'malformed', 'version 1 in a v2 block');
    assert.equal(reason(byteByByte(with_(12, 0x22))), 'malformed', 'command 2');
    assert.equal(reason(byteByByte(with_(13, 0x41))), 'malformed', 'family 4');
    assert.equal(reason(byteByByte(with_(13, 0x13))), 'malformed', 'transport 3');
    // Addresses shorter than the family needs.
    const short = Buffer.from(good.subarray(0, 16 + 8));
    short.writeUInt16BE(8, 14);
    assert.equal(reason(byteByByte(short)), 'malformed');
  });

  test('UDP, UNIX sockets and UNSPEC with PROXY: unsupported', () => {
    const withFamily = (byte: number) => {
      const b = proxyV2({ source: '1.2.3.4' });
      b[13] = byte;
      return b;
    };
    assert.equal(reason(byteByByte(withFamily(0x12))), 'unsupported', 'UDP over IPv4');
    assert.equal(reason(byteByByte(withFamily(0x31))), 'unsupported', 'UNIX stream');
    assert.equal(reason(byteByByte(withFamily(0x00))), 'unsupported', 'UNSPEC');
  });

  test('a block longer than 4 KB is too long as soon as its length is read', () => {
    const big = proxyV2({ source: '1.2.3.4', tlvs: Buffer.alloc(5000) });
    assert.equal(reason(parseProxyHeader(big.subarray(0, 16), 'v2')), 'too_long');
  });
});

describe('network lists', () => {
  test('CIDR and single addresses of both families; IPv4-mapped peers match their IPv4 networks', () => {
    const list = parseNetworks(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32'], 'PROXY_TRUSTED_NETWORKS');
    assert.equal(inNetworks(list, '10.1.2.3'), true);
    assert.equal(inNetworks(list, '::ffff:10.1.2.3'), true);
    assert.equal(inNetworks(list, '11.0.0.1'), false);
    assert.equal(inNetworks(list, '192.0.2.7'), true);
    assert.equal(inNetworks(list, '2001:db8:5::1'), true);
    assert.equal(inNetworks(list, '2001:db9::1'), false);
    assert.equal(inNetworks(list, 'unknown'), false);
    assert.throws(() => parseNetworks(['10.0.0.0/33'], 'PROXY_TRUSTED_NETWORKS'), /PROXY_TRUSTED_NETWORKS: not an address or CIDR network/);
  });
});

describe('PROXY settings', () => {
  function fromEnv(env: Record<string, string | undefined>) {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
    try {
      return proxyProtocolFromEnv();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  test('off by default; a version, any, or yes and no as a boolean setting is written (yes: any)', () => {
    const none = { PROXY_TRUSTED_NETWORKS: undefined, PROXY_HEADER_TIMEOUT_MS: undefined };
    assert.deepEqual(fromEnv({ PROXY_PROTOCOL: undefined, ...none }), { mode: 'off', trustedNetworks: [], headerTimeoutMs: 5000 });
    for (const [given, mode] of [
      ['v1', 'v1'],
      ['V2', 'v2'],
      ['any', 'any'],
      ['true', 'any'],
      ['false', 'off'],
      ['off', 'off'],
    ]) {
      assert.equal(fromEnv({ PROXY_PROTOCOL: given, ...none }).mode, mode, given);
    }
    assert.deepEqual(
      fromEnv({ PROXY_PROTOCOL: 'v2', PROXY_TRUSTED_NETWORKS: '10.0.0.0/8, 2001:db8::/32', PROXY_HEADER_TIMEOUT_MS: '250' }),
      {
        mode: 'v2',
        trustedNetworks: ['10.0.0.0/8', '2001:db8::/32'],
        headerTimeoutMs: 250,
      },
    );
    assert.throws(() => fromEnv({ PROXY_PROTOCOL: 'v3' }), /PROXY_PROTOCOL must be off, v1, v2 or any/);
  });

  test('on without trusted networks, or with a bad one, is refused at start', () => {
    const log = createLogger('test', 'silent');
    assert.throws(
      () => new ProxyGate({ mode: 'any', trustedNetworks: [], headerTimeoutMs: 1000 }, { listener: 'imap', log }),
      /needs PROXY_TRUSTED_NETWORKS/,
    );
    assert.throws(
      () => new ProxyGate({ mode: 'v1', trustedNetworks: ['10.0.0.0/33'], headerTimeoutMs: 1000 }, { listener: 'imap', log }),
      /PROXY_TRUSTED_NETWORKS: not an address or CIDR network: "10.0.0.0\/33"/,
    );
    assert.equal(new ProxyGate({ mode: 'off', trustedNetworks: [], headerTimeoutMs: 1000 }, { listener: 'imap', log }).enabled, false);
  });
});
