// imapctl quota set|show <address|domain>: an account's own limits, a tenant's
// default limits for its accounts and its totals, and the usage against them.
import type { Database } from '@kimap/common';
import {
  accountQuotaReport,
  normalizeDomain,
  parseAddress,
  setAccountQuota,
  setTenantQuota,
  tenantQuotaReport,
  type LimitReport,
  type LimitSetting,
  type TenantTotals,
} from '@kimap/mailbox';
import { UsageError, type CommandContext, type CommandGroup } from '../cli.js';

const LIMIT_OPTIONS = ['storage', 'messages', 'total-storage', 'total-messages'] as const;
type LimitOption = (typeof LIMIT_OPTIONS)[number];

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * A limit as written on the command line: a whole number (of bytes, with an
 * optional K, M, G or T, for the storage options), `none` or `unlimited`, or
 * `default` (an account's own limits only).
 */
export function parseLimit(option: LimitOption, value: string | true | undefined, forAccount: boolean): LimitSetting {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  const word = text.toLowerCase();
  if (word === 'none' || word === 'unlimited') return null;
  const total = option.startsWith('total-');
  if (word === 'default') {
    if (total) throw new UsageError(`--${option} default: a total has no default (none removes it)`);
    if (!forAccount) throw new UsageError(`--${option} default: only an account follows a default`);
    return 'default';
  }
  const bytes = !option.endsWith('messages');
  const m = bytes ? /^(\d+)\s*([KMGT]?)(?:I?B)?$/i.exec(text) : /^(\d+)$/.exec(text);
  if (!m) {
    if (/^-\d/.test(text)) throw new UsageError(`--${option} must not be negative: ${text}`);
    const what = bytes ? 'a number of bytes (K, M, G, T allowed)' : 'a number of messages';
    const words = forAccount && !total ? 'none, unlimited or default' : 'none or unlimited';
    throw new UsageError(`--${option} must be ${what}, ${words}: ${JSON.stringify(text)}`);
  }
  const n = Number(m[1]) * UNITS[(m[2] ?? '').toUpperCase()]!;
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${option} is too large: ${text}`);
  return n;
}

type Target = { address: string } | { domain: string };

/** An address (with @) or a domain, checked and in lower case. */
function targetOf(word: string): Target {
  return word.includes('@') ? { address: parseAddress(word).address } : { domain: normalizeDomain(word) };
}

/** 1536 → "1.5 KiB". */
export function humanBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

const bytesUsed = (n: number): string => (n < 1024 ? `${n} bytes used` : `${n} bytes used (${humanBytes(n)})`);
const bytesLimit = (limit: number | null): string => (limit === null ? 'no limit' : `limit ${limit} bytes (${humanBytes(limit)})`);
const countLimit = (limit: number | null): string => (limit === null ? 'no limit' : `limit ${limit}`);

function source(l: LimitReport): string {
  if (l.source === 'account') return ', set for the account';
  if (l.source === 'default') return ", the domain's default";
  return '';
}

function totals(t: TenantTotals): string {
  return `storage ${bytesUsed(t.usedBytes)}, ${bytesLimit(t.totalStorage)}; messages ${t.usedMessages} used, ${countLimit(t.totalMessages)}`;
}

async function show(ctx: CommandContext, db: Database, target: Target): Promise<void> {
  const { io } = ctx;
  if ('address' in target) {
    const r = await accountQuotaReport(db, target.address);
    if (ctx.flags.has('json')) return io.out(JSON.stringify(r));
    io.out(r.username);
    io.out(`  storage:  ${bytesUsed(r.usedBytes)}, ${bytesLimit(r.storage.limit)}${source(r.storage)}`);
    io.out(`  messages: ${r.usedMessages} used, ${countLimit(r.messages.limit)}${source(r.messages)}`);
    if (r.tenant) io.out(`  domain ${r.domain} in all: ${totals(r.tenant)}`);
    return;
  }
  const r = await tenantQuotaReport(db, target.domain);
  if (ctx.flags.has('json')) return io.out(JSON.stringify(r));
  io.out(`${r.domain} (${r.accounts} account${r.accounts === 1 ? '' : 's'})`);
  io.out(`  default per account: storage ${bytesLimit(r.defaultStorage)}; messages ${countLimit(r.defaultMessages)}`);
  io.out(`  in all: ${totals(r)}`);
}

export const quotaCommands: CommandGroup = {
  name: 'quota',
  commands: {
    set: {
      params: ['<address|domain>'],
      flags: { storage: 'string', messages: 'string', 'total-storage': 'string', 'total-messages': 'string', json: 'boolean' },
      options: '[--storage BYTES] [--messages N] [--total-storage BYTES] [--total-messages N]',
      summary:
        "an account's limits, or a domain's default for each account and its totals (all accounts together); " +
        "BYTES may end in K, M, G or T; none or unlimited: no limit; default: the domain's default again (an account)",
      async run(ctx, [word]) {
        const target = targetOf(word!);
        const forAccount = 'address' in target;
        const limits = Object.fromEntries(LIMIT_OPTIONS.map((o) => [o, parseLimit(o, ctx.flags.get(o), forAccount)])) as Record<
          LimitOption,
          LimitSetting
        >;
        if (LIMIT_OPTIONS.every((o) => limits[o] === undefined)) {
          throw new UsageError('quota set: nothing to set (--storage, --messages, --total-storage or --total-messages)');
        }
        const db = await ctx.db();
        if ('address' in target) {
          if (limits['total-storage'] !== undefined || limits['total-messages'] !== undefined) {
            throw new UsageError('--total-storage and --total-messages apply to a domain, not to an address');
          }
          await setAccountQuota(db, target.address, { storage: limits.storage, messages: limits.messages });
        } else {
          // parseLimit refused 'default' for a domain.
          const tenantLimit = (o: LimitOption) => limits[o] as number | null | undefined;
          await setTenantQuota(db, target.domain, {
            storage: tenantLimit('storage'),
            messages: tenantLimit('messages'),
            totalStorage: tenantLimit('total-storage'),
            totalMessages: tenantLimit('total-messages'),
          });
        }
        await show(ctx, db, target);
      },
    },
    show: {
      params: ['<address|domain>'],
      flags: { json: 'boolean' },
      options: '[--json]',
      summary: 'usage and limits (and where each limit comes from)',
      async run(ctx, [word]) {
        const target = targetOf(word!);
        await show(ctx, await ctx.db(), target);
      },
    },
  },
};
