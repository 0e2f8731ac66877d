// The PROXY protocol at a listener's door: with PROXY_PROTOCOL on, a
// connection is taken only from a trusted balancer (PROXY_TRUSTED_NETWORKS),
// and only once its header has named the client; the listener then sees the
// client's address instead of the balancer's. Anything else is closed before
// a byte is answered, and counted by reason.
import type { BlockList, Socket } from 'node:net';
import { Counter, type Registry } from 'prom-client';
import { envInt, envList, envString } from './config.js';
import type { Logger } from './log.js';
import { inNetworks, parseNetworks } from './networks.js';
import { parseProxyHeader, PROXY_V1_MAX_BYTES, PROXY_V2_MAX_BYTES, type ProxyRejection, type ProxyVersions } from './proxy-header.js';

export type ProxyProtocolMode = 'off' | ProxyVersions;

export interface ProxyProtocolSettings {
  /** off, or the header versions taken: v1, v2, any. */
  mode: ProxyProtocolMode;
  /** The balancers' networks (CIDR or addresses): the only peers taken while the protocol is on. */
  trustedNetworks: readonly string[];
  /** How long a trusted peer has to send its whole header. */
  headerTimeoutMs: number;
}

export const PROXY_PROTOCOL_OFF: ProxyProtocolSettings = { mode: 'off', trustedNetworks: [], headerTimeoutMs: 5000 };

const MODES: readonly ProxyProtocolMode[] = ['off', 'v1', 'v2', 'any'];
/** Yes or no, as a boolean setting is written: yes takes either version. */
const SWITCHES: Record<string, ProxyProtocolMode> = { true: 'any', on: 'any', yes: 'any', 1: 'any', false: 'off', no: 'off', 0: 'off' };

/** The settings from the environment (documented in docs/operations/networking.md). */
export function proxyProtocolFromEnv(): ProxyProtocolSettings {
  const given = envString('PROXY_PROTOCOL', 'off').toLowerCase();
  const mode = MODES.includes(given as ProxyProtocolMode) ? (given as ProxyProtocolMode) : SWITCHES[given];
  if (!mode) {
    throw new Error(`PROXY_PROTOCOL must be off, v1, v2 or any (or true, false), got ${JSON.stringify(process.env.PROXY_PROTOCOL)}`);
  }
  return {
    mode,
    trustedNetworks: envList('PROXY_TRUSTED_NETWORKS', []),
    headerTimeoutMs: envInt('PROXY_HEADER_TIMEOUT_MS', PROXY_PROTOCOL_OFF.headerTimeoutMs),
  };
}

/** Who is at the other end of a connection, as far as the listener is concerned. */
export interface ClientAddress {
  address: string;
  port: number;
  /** The balancer the connection came through; undefined when it came straight from the client. */
  proxy?: string;
}

const REJECTED_METRIC = 'kimap_proxy_header_rejected_total';

/** One counter per registry: the edge and the LMTP listener share one in the embedded server. */
function rejectedCounter(registry: Registry): Counter<'listener' | 'reason'> {
  const existing = registry.getSingleMetric(REJECTED_METRIC);
  if (existing) return existing as Counter<'listener' | 'reason'>;
  return new Counter({
    name: REJECTED_METRIC,
    help: 'Connections closed at the PROXY protocol header, by listener and reason: untrusted (peer not in PROXY_TRUSTED_NETWORKS), timeout, truncated, malformed, too_long, unsupported',
    labelNames: ['listener', 'reason'],
    registers: [registry],
  });
}

/** Strips the IPv4-mapped prefix a dual-stack listener gives IPv4 peers. */
const plainAddress = (a: string | undefined): string => (a ? a.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '') : 'unknown');

export class ProxyGate {
  private readonly trusted: BlockList;
  private readonly rejected?: Counter<'listener' | 'reason'>;
  /** Sockets still waiting for their header, closed by close(). */
  private readonly waiting = new Set<Socket>();

  constructor(
    readonly settings: ProxyProtocolSettings,
    private readonly opts: { listener: string; log: Logger; registry?: Registry },
  ) {
    this.trusted = parseNetworks(settings.trustedNetworks, 'PROXY_TRUSTED_NETWORKS');
    if (settings.mode !== 'off' && settings.trustedNetworks.length === 0) {
      throw new Error(
        `PROXY_PROTOCOL=${settings.mode} needs PROXY_TRUSTED_NETWORKS: the networks of the load balancers that send the header`,
      );
    }
    if (opts.registry) this.rejected = rejectedCounter(opts.registry);
  }

  get enabled(): boolean {
    return this.settings.mode !== 'off';
  }

  /**
   * Hands the socket on, with whom it is from, once that is known: at once
   * with the protocol off; after its header otherwise, with the bytes that
   * followed the header left to be read. A connection refused is destroyed
   * and `onClient` never called.
   */
  admit(socket: Socket, onClient: (client: ClientAddress) => void): void {
    const peer = plainAddress(socket.remoteAddress);
    const peerPort = socket.remotePort ?? 0;
    if (!this.enabled) return onClient({ address: peer, port: peerPort });
    if (!inNetworks(this.trusted, peer)) return this.refuse(socket, peer, 'untrusted', 'the peer is not in PROXY_TRUSTED_NETWORKS', 0);

    const versions = this.settings.mode as ProxyVersions;
    const max = versions === 'v1' ? PROXY_V1_MAX_BYTES : PROXY_V2_MAX_BYTES;
    let received: Buffer = Buffer.alloc(0);
    const finish = () => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      this.waiting.delete(socket);
    };
    const fail = (reason: ProxyRejection, detail: string) => {
      finish();
      this.refuse(socket, peer, reason, detail, received.length);
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
        const parsed = parseProxyHeader(received, versions);
        if (parsed.status === 'rejected') return fail(parsed.reason, parsed.detail);
        if (parsed.status === 'incomplete') {
          if (received.length > max) return fail('too_long', `${received.length} bytes without a complete header`);
          continue;
        }
        finish();
        const rest = received.subarray(parsed.header.length);
        if (rest.length > 0) socket.unshift(rest);
        const source = parsed.header.source;
        this.opts.log.debug({ client: source?.address ?? peer, proxy: peer, version: parsed.header.version }, 'PROXY header read');
        return onClient(
          source ? { address: source.address, port: source.port, proxy: peer } : { address: peer, port: peerPort, proxy: peer },
        );
      }
    };
    // Closed before the header was whole; one that never sent a byte (a bare TCP probe) is not counted.
    const onEnd = () => {
      if (received.length > 0) return fail('truncated', `closed after ${received.length} bytes`);
      finish();
      socket.destroy();
    };
    const onError = () => {
      finish();
      socket.destroy();
    };
    const timer = setTimeout(
      () => fail('timeout', `no complete header within ${this.settings.headerTimeoutMs} ms`),
      this.settings.headerTimeoutMs,
    );
    timer.unref();
    this.waiting.add(socket);
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
  }

  /** Closes the connections still waiting for their header (the listener is stopping). */
  close(): void {
    for (const socket of this.waiting) socket.destroy();
    this.waiting.clear();
  }

  private refuse(socket: Socket, peer: string, reason: ProxyRejection, detail: string, bytes: number): void {
    this.rejected?.inc({ listener: this.opts.listener, reason });
    this.opts.log.debug({ peer, listener: this.opts.listener, reason, detail, bytes }, 'connection refused at the PROXY header');
    // A late error (the peer's reset) must not become an uncaught one.
    socket.on('error', () => undefined);
    socket.destroy();
  }
}
