// Throttling of failed logins, with its state in PostgreSQL so that every
// edge and mailbox pod sees the same counts (docs/hosting/login-security.md).
//
// Counts: failures by client address (whatever the username), by account,
// and by account and address. A login from an address is penalised by the
// larger of its address's count and, when this address has failed for this
// account before, the account's count: guessing one account from many
// addresses slows every one of them, while the owner, from an address that
// has not failed for the account, is not held up by what others did. The
// penalty is a delay before the password is checked (none for the first
// `freeFailures`, then doubling up to `maxDelayMs`), and from `lockFailures`
// on a refusal without any check, until the count expires `windowMs` after
// its last failure. A success clears what this address failed for this account.
import { isIP, type BlockList } from 'node:net';
import { envInt, envList, parseNetworks, type Database, type Logger } from '@kimap/common';
import { Counter, type Registry } from 'prom-client';
import { checkCredentials, normalizeUsername, type Login } from './store/accounts.js';
import { throttled, unauthenticated } from './store/errors.js';
import { clearLoginFailures, purgeLoginFailures, readLogin, recordLoginFailure } from './store/login-failures.js';

export interface LoginThrottleSettings {
  /** Failures answered without a delay. */
  freeFailures: number;
  /** The first delay; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** From this many failures on, logins are refused unchecked; 0: never. */
  lockFailures: number;
  /** How long a count lasts after its last failure (and so a lock). */
  windowMs: number;
  /** Client networks never throttled (CIDR, or single addresses). */
  exempt: readonly string[];
  /** IPv6 clients are counted by network of this prefix length (a host usually gets a whole /64). */
  ipv6Prefix: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = {
  freeFailures: 2,
  baseDelayMs: 2000,
  maxDelayMs: 15_000,
  lockFailures: 10,
  windowMs: 15 * 60_000,
  exempt: [],
  ipv6Prefix: 64,
};

/** The settings from the environment (documented in docs/hosting/login-security.md). */
export function loginThrottleSettingsFromEnv(): LoginThrottleSettings {
  const d = DEFAULT_LOGIN_THROTTLE;
  return {
    freeFailures: envInt('LOGIN_THROTTLE_FREE_FAILURES', d.freeFailures),
    baseDelayMs: envInt('LOGIN_THROTTLE_DELAY_MS', d.baseDelayMs),
    maxDelayMs: envInt('LOGIN_THROTTLE_MAX_DELAY_MS', d.maxDelayMs),
    lockFailures: envInt('LOGIN_THROTTLE_LOCK_FAILURES', d.lockFailures),
    windowMs: envInt('LOGIN_THROTTLE_WINDOW_MS', d.windowMs),
    exempt: envList('LOGIN_THROTTLE_EXEMPT', []),
    ipv6Prefix: envInt('LOGIN_THROTTLE_IPV6_PREFIX', d.ipv6Prefix),
  };
}

/** The penalty of a login attempt, from the failures counted before it. */
export interface Penalty {
  failures: number;
  /** Which count decided: the address's, or the account's (against an address that failed for it). */
  scope: 'address' | 'account';
  delayMs: number;
  locked: boolean;
}

export function penaltyFor(
  s: Pick<LoginThrottleSettings, 'freeFailures' | 'baseDelayMs' | 'maxDelayMs' | 'lockFailures'>,
  counts: { addressFailures: number; accountFailures: number; accountAddressFailures: number },
): Penalty {
  const byAccount = counts.accountAddressFailures > 0 ? counts.accountFailures : 0;
  const failures = Math.max(counts.addressFailures, byAccount);
  const scope = byAccount > counts.addressFailures ? 'account' : 'address';
  const locked = s.lockFailures > 0 && failures >= s.lockFailures;
  const beyond = failures - s.freeFailures;
  const delayMs = locked || beyond < 0 ? 0 : Math.min(s.baseDelayMs * 2 ** Math.min(beyond, 30), s.maxDelayMs);
  return { failures, scope, delayMs, locked };
}

/** 16-bit groups of an IPv6 address (undefined if it is not one). */
function ipv6Groups(ip: string): number[] | undefined {
  if (isIP(ip) !== 6) return undefined;
  let text = ip.split('%')[0]!;
  // A trailing dotted IPv4 part becomes two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...new Array<number>(zeros).fill(0), ...right];
}

/**
 * The key a client address is counted under: an IPv4 address (IPv4-mapped
 * IPv6 addresses included) as it is, an IPv6 address as its network of
 * `ipv6Prefix` bits (`2001:db8:1:2::/64`), anything else (no address) as
 * `unknown`, which all such clients share.
 */
export function addressKey(ip: string, ipv6Prefix = DEFAULT_LOGIN_THROTTLE.ipv6Prefix): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) === 4) return ip;
  const groups = ipv6Groups(ip);
  if (!groups) return 'unknown';
  const prefix = Math.max(0, Math.min(128, ipv6Prefix));
  const masked = groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, prefix - i * 16));
    return keep === 0 ? 0 : g & (0xffff << (16 - keep)) & 0xffff;
  });
  // Shortest form: the network's groups, then `::` for the zeros after them.
  let last = masked.length;
  while (last > 0 && masked[last - 1] === 0) last--;
  const shown = masked.slice(0, last).map((g) => g.toString(16));
  const text = last === 8 ? shown.join(':') : `${shown.join(':')}::`;
  return prefix === 128 ? text : `${text}/${prefix}`;
}

/** Parses LOGIN_THROTTLE_EXEMPT; throws on an entry that is not an address or a CIDR network. */
export function exemptList(entries: readonly string[]): BlockList {
  return parseNetworks(entries, 'LOGIN_THROTTLE_EXEMPT');
}

export interface LoginMetrics {
  failures: Counter;
  throttled: Counter;
  locks: Counter;
}

export function createLoginMetrics(registry: Registry): LoginMetrics {
  return {
    failures: new Counter({
      name: 'kimap_login_failures_total',
      help: 'Failed password checks, by reason: password (wrong), unknown_user, disabled (right password, account disabled)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    throttled: new Counter({
      name: 'kimap_login_throttled_total',
      help: 'Logins held back by the failure counts: delayed before the check, or refused without one',
      labelNames: ['action'],
      registers: [registry],
    }),
    locks: new Counter({
      name: 'kimap_login_locks_total',
      help: 'Counts that reached LOGIN_THROTTLE_LOCK_FAILURES, by scope: address, or account (locked for the addresses that failed for it)',
      labelNames: ['scope'],
      registers: [registry],
    }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LoginThrottle {
  readonly settings: LoginThrottleSettings;
  private readonly exempt: BlockList;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    settings: Partial<LoginThrottleSettings> = {},
    private readonly metrics?: LoginMetrics,
  ) {
    this.settings = { ...DEFAULT_LOGIN_THROTTLE, ...settings };
    this.exempt = exemptList(this.settings.exempt);
  }

  /** The key a client is counted under (see addressKey). */
  addressOf(remoteIp: string): string {
    return addressKey(remoteIp, this.settings.ipv6Prefix);
  }

  /** The key a client's failures are counted under, or null for an exempt client. */
  keyOf(remoteIp: string): string | null {
    const key = this.addressOf(remoteIp);
    if (key === 'unknown') return key;
    const family = isIP(key) === 4 ? 'ipv4' : 'ipv6';
    const probe = family === 'ipv4' ? key : remoteIp.split('%')[0]!;
    return this.exempt.check(probe, family) ? null : key;
  }

  /**
   * Checks a login under the penalty of its client's failures; throws
   * UNAUTHENTICATED for wrong credentials (and for a disabled account, which
   * looks the same), RESOURCE_EXHAUSTED (IMAP UNAVAILABLE) while locked.
   */
  async authenticate(username: string, password: string, remoteIp: string): Promise<Login> {
    // PostgreSQL text cannot hold a NUL: such a name is no account's, looked up as the empty one.
    const name = username.includes('\0') ? '' : normalizeUsername(username);
    const address = this.keyOf(remoteIp);
    const s = this.settings;
    const found = await readLogin(this.db, name, address, s.windowMs);
    const user = name.slice(0, 256);
    if (address !== null) {
      const p = penaltyFor(s, found);
      if (p.locked) {
        this.metrics?.throttled.inc({ action: 'refused' });
        this.log.debug({ address, user, failures: p.failures, scope: p.scope }, 'login refused: too many failures');
        throw throttled();
      }
      if (p.delayMs > 0) {
        this.metrics?.throttled.inc({ action: 'delayed' });
        this.log.debug({ address, user, failures: p.failures, scope: p.scope, delayMs: p.delayMs }, 'login delayed');
        // No database connection is held while waiting.
        await sleep(p.delayMs);
      }
    }
    const account = found.account;
    const check = await checkCredentials(account, password);
    if (check === 'ok' && account) {
      if (address !== null && found.accountAddressFailures > 0) {
        await clearLoginFailures(this.db, address, account.accountId, s.windowMs).catch((err: unknown) =>
          this.log.warn({ err }, 'clearing login failures failed'),
        );
      }
      return { account: { accountId: account.accountId, tenantId: account.tenantId }, username: account.username };
    }
    this.metrics?.failures.inc({ reason: check });
    if (address !== null) await this.recordFailure(address, account?.accountId, user);
    throw unauthenticated(check === 'disabled' ? 'CONTACTADMIN' : 'AUTHENTICATIONFAILED');
  }

  private async recordFailure(address: string, accountId: number | undefined, user: string): Promise<void> {
    let counts;
    try {
      counts = await recordLoginFailure(this.db, address, accountId, this.settings.windowMs);
    } catch (err) {
      // The login fails all the same; only its count is lost.
      this.log.warn({ err }, 'recording a login failure failed');
      return;
    }
    const lockAt = this.settings.lockFailures;
    if (lockAt === 0) return;
    if (counts.addressFailures === lockAt) {
      this.metrics?.locks.inc({ scope: 'address' });
      this.log.warn({ address, user, failures: lockAt }, 'login locked for an address: too many failures');
    }
    if (counts.accountFailures === lockAt) {
      this.metrics?.locks.inc({ scope: 'account' });
      this.log.warn({ account: accountId, user, failures: lockAt }, 'login locked for an account, for the addresses that failed for it');
    }
  }

  /** Deletes counts that expired (the janitor). */
  purge(): Promise<number> {
    return purgeLoginFailures(this.db, this.settings.windowMs);
  }
}
