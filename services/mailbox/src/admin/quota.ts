// SetUserQuota, GetUserQuota, SetTenantQuota, GetTenantQuota: the limits of
// store/quota.ts as the AdminService gives and takes them.
import type { LimitSetting__Output } from '@kimap/common/generated/mail/v1/LimitSetting';
import type { SetTenantQuotaRequest__Output } from '@kimap/common/generated/mail/v1/SetTenantQuotaRequest';
import type { SetUserQuotaRequest__Output } from '@kimap/common/generated/mail/v1/SetUserQuotaRequest';
import type { TenantQuota } from '@kimap/common/generated/mail/v1/TenantQuota';
import type { TenantRequest__Output } from '@kimap/common/generated/mail/v1/TenantRequest';
import type { UserQuota } from '@kimap/common/generated/mail/v1/UserQuota';
import type { UserRequest__Output } from '@kimap/common/generated/mail/v1/UserRequest';
import type { MailboxContext } from '../context.js';
import { unary } from '../rpc/handler.js';
import { invalid } from '../store/errors.js';
import {
  accountQuotaReport,
  setAccountQuota,
  setTenantQuota,
  tenantQuotaReport,
  type AccountQuotaReport,
  type LimitReport,
  type LimitSetting,
  type TenantQuotaReport,
  type TenantTotals,
} from '../store/quota.js';

/** A request's limit as the store takes it; undefined leaves it as it is. */
export function limitSetting(what: string, s: LimitSetting__Output | null, allowDefault: boolean): LimitSetting {
  switch (s?.setting) {
    case undefined:
      return undefined;
    case 'limit':
      // uint64 arrives as a JavaScript number: above 2^53 it is no longer exact.
      if (!Number.isSafeInteger(s.limit)) throw invalid(`${what}: ${s.limit} is above the largest limit (2^53-1)`);
      return s.limit;
    case 'unlimited':
      if (!s.unlimited) throw invalid(`${what}: unlimited must be true when given`);
      return null;
    case 'tenantDefault':
      if (!s.tenantDefault) throw invalid(`${what}: tenant_default must be true when given`);
      if (!allowDefault) throw invalid(`${what}: tenant_default applies to an account, not to a domain`);
      return 'default';
  }
}

/** A limit that is not a number or 'default' here: the store's checks have already run. */
const tenantLimit = (v: LimitSetting): number | null | undefined => (v === 'default' ? undefined : v);

const appliedLimit = (r: LimitReport) => ({ ...(r.limit !== null && { limit: r.limit }), source: r.source });

const limits = (t: { totalStorage: number | null; totalMessages: number | null }) => ({
  ...(t.totalStorage !== null && { totalStorage: t.totalStorage }),
  ...(t.totalMessages !== null && { totalMessages: t.totalMessages }),
});

function tenantQuota(r: TenantQuotaReport): TenantQuota {
  return {
    domain: r.domain,
    accounts: r.accounts,
    ...(r.defaultStorage !== null && { defaultStorage: r.defaultStorage }),
    ...(r.defaultMessages !== null && { defaultMessages: r.defaultMessages }),
    ...limits(r),
    usedBytes: r.usedBytes,
    usedMessages: r.usedMessages,
  };
}

function userQuota(r: AccountQuotaReport): UserQuota {
  const totals = (t: TenantTotals): TenantQuota => ({
    domain: r.domain,
    ...limits(t),
    usedBytes: t.usedBytes,
    usedMessages: t.usedMessages,
  });
  return {
    address: r.username,
    domain: r.domain,
    usedBytes: r.usedBytes,
    usedMessages: r.usedMessages,
    storage: appliedLimit(r.storage),
    messages: appliedLimit(r.messages),
    ...(r.tenant && { tenant: totals(r.tenant) }),
  };
}

export const SetUserQuota = (ctx: MailboxContext) =>
  unary<SetUserQuotaRequest__Output, UserQuota>(ctx.log, 'SetUserQuota', async (req) => {
    const storage = limitSetting('storage', req.storage, true);
    const messages = limitSetting('messages', req.messages, true);
    await setAccountQuota(ctx.db, req.address, { storage, messages });
    return userQuota(await accountQuotaReport(ctx.db, req.address));
  });

export const GetUserQuota = (ctx: MailboxContext) =>
  unary<UserRequest__Output, UserQuota>(ctx.log, 'GetUserQuota', async (req) => userQuota(await accountQuotaReport(ctx.db, req.address)));

export const SetTenantQuota = (ctx: MailboxContext) =>
  unary<SetTenantQuotaRequest__Output, TenantQuota>(ctx.log, 'SetTenantQuota', async (req) => {
    await setTenantQuota(ctx.db, req.domain, {
      storage: tenantLimit(limitSetting('storage', req.storage, false)),
      messages: tenantLimit(limitSetting('messages', req.messages, false)),
      totalStorage: tenantLimit(limitSetting('total_storage', req.totalStorage, false)),
      totalMessages: tenantLimit(limitSetting('total_messages', req.totalMessages, false)),
    });
    return tenantQuota(await tenantQuotaReport(ctx.db, req.domain));
  });

export const GetTenantQuota = (ctx: MailboxContext) =>
  unary<TenantRequest__Output, TenantQuota>(ctx.log, 'GetTenantQuota', async (req) =>
    tenantQuota(await tenantQuotaReport(ctx.db, req.domain)),
  );
