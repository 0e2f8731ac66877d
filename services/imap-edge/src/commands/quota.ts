// GETQUOTA, GETQUOTAROOT and SETQUOTA (RFC 9208). Every mailbox of an account
// has the quota root "User quota" (the account's limits), and "Domain quota"
// too when its tenant has a total: the names Dovecot's quota plugin gives its
// roots. STORAGE is shown in units of 1,024 octets (usage rounded up, limits
// down, as Dovecot does), MESSAGE in messages; a resource without a limit is
// left out, and a root without any limit has no QUOTA line. Another account's
// mailbox (shared, RFC 4314) shows no root of the principal's. Limits are set
// by operators (imapctl quota set): SETQUOTA is refused with NOPERM.
import type { QuotaInfo } from '../backend.js';
import type { CommandParser } from '../protocol/index.js';
import { AUTHENTICATED, defineCommand, ImapNo } from './command.js';
import type { CommandContext } from './context.js';
import { targetFromWire } from './names.js';

export const USER_QUOTA_ROOT = 'User quota';
export const DOMAIN_QUOTA_ROOT = 'Domain quota';

export interface GetQuotaArgs {
  readonly root: string;
}

/** `GETQUOTA SP quota-root-name`. */
export function parseGetQuota(p: CommandParser): GetQuotaArgs {
  p.expectSP();
  const root = p.expectAstring();
  p.expectEnd();
  return { root };
}

export interface GetQuotaRootArgs {
  /** As sent (INBOX normalised); echoed in the QUOTAROOT response. */
  readonly mailbox: string;
}

/** `GETQUOTAROOT SP mailbox`. */
export function parseGetQuotaRoot(p: CommandParser): GetQuotaRootArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  p.expectEnd();
  return { mailbox };
}

export interface SetQuotaArgs {
  readonly root: string;
  /** Resource names upper-cased; limits as number64. */
  readonly limits: ReadonlyArray<{ readonly resource: string; readonly limit: bigint }>;
}

/** `SETQUOTA SP quota-root-name SP "(" [setquota-resource *(SP setquota-resource)] ")"`, resource = name SP number64. */
export function parseSetQuota(p: CommandParser): SetQuotaArgs {
  p.expectSP();
  const root = p.expectAstring();
  p.expectSP();
  const limits = p.expectList((q) => {
    const resource = q.expectAtom().toUpperCase();
    q.expectSP();
    return { resource, limit: q.expectNumber64() };
  });
  p.expectEnd();
  return { root, limits };
}

/** The roots that govern the account's mailboxes, each with its usage and limits. */
function roots(q: QuotaInfo): Array<[string, NonNullable<QuotaInfo['account']>]> {
  const out: Array<[string, NonNullable<QuotaInfo['account']>]> = [];
  if (q.account) out.push([USER_QUOTA_ROOT, q.account]);
  if (q.tenant) out.push([DOMAIN_QUOTA_ROOT, q.tenant]);
  return out;
}

const hasLimit = (v: number | null | undefined): v is number => typeof v === 'number';

/** `* QUOTA root (STORAGE used limit MESSAGE used limit)`, or nothing when no resource has a limit. */
function writeQuota(ctx: CommandContext, root: string, usage: NonNullable<QuotaInfo['account']>): void {
  const resources: string[] = [];
  if (hasLimit(usage.limitBytes)) resources.push(`STORAGE ${Math.ceil(usage.usedBytes / 1024)} ${Math.floor(usage.limitBytes / 1024)}`);
  if (hasLimit(usage.limitMessages)) resources.push(`MESSAGE ${usage.usedMessages} ${usage.limitMessages}`);
  if (resources.length === 0) return;
  ctx.enc
    .untagged()
    .raw('QUOTA ')
    .astring(root)
    .raw(` (${resources.join(' ')})`)
    .crlf();
}

export const getquota = defineCommand({
  names: ['GETQUOTA'],
  states: AUTHENTICATED,
  capabilities: ['QUOTA', 'QUOTA=RES-STORAGE', 'QUOTA=RES-MESSAGE'],
  parse: parseGetQuota,
  async run(ctx, cmd) {
    const q = await ctx.backend.quota(ctx.session.principal!);
    const root = roots(q).find(([name]) => name === cmd.args.root);
    if (!root) throw new ImapNo('NONEXISTENT', 'No such quota root');
    writeQuota(ctx, ...root);
    return { text: 'GETQUOTA completed' };
  },
});

export const getquotaroot = defineCommand({
  names: ['GETQUOTAROOT'],
  states: AUTHENTICATED,
  parse: parseGetQuotaRoot,
  async run(ctx, cmd) {
    const target = targetFromWire(ctx.session, cmd.args.mailbox);
    let found: ReturnType<typeof roots> = [];
    if (!target.name) {
      throw new ImapNo('NONEXISTENT', 'No such mailbox');
    } else if (target.owner) {
      // Another account's mailbox (RFC 4314): its owner's quota governs it, which is
      // not the principal's to see; the mailbox must be there for it all the same.
      await ctx.backend.status(ctx.session.principal!, target);
    } else {
      found = roots(await ctx.backend.quota(ctx.session.principal!, target.name));
    }
    ctx.enc.untagged().raw('QUOTAROOT ').astring(cmd.args.mailbox);
    for (const [name] of found) ctx.enc.sp().astring(name);
    ctx.enc.crlf();
    for (const root of found) writeQuota(ctx, ...root);
    return { text: 'GETQUOTAROOT completed' };
  },
});

export const setquota = defineCommand({
  names: ['SETQUOTA'],
  states: AUTHENTICATED,
  capabilities: ['QUOTASET'],
  parse: parseSetQuota,
  run() {
    throw new ImapNo('NOPERM', 'Quota can be changed only by an administrator');
  },
});
