// AddTenant, RemoveTenant, ListTenants.
import type { AddTenantRequest__Output } from '@kimap/common/generated/mail/v1/AddTenantRequest';
import type { ListTenantsRequest__Output } from '@kimap/common/generated/mail/v1/ListTenantsRequest';
import type { ListTenantsResponse } from '@kimap/common/generated/mail/v1/ListTenantsResponse';
import type { RemovalCounts } from '@kimap/common/generated/mail/v1/RemovalCounts';
import type { RemoveTenantRequest__Output } from '@kimap/common/generated/mail/v1/RemoveTenantRequest';
import type { TenantInfo } from '@kimap/common/generated/mail/v1/TenantInfo';
import type { MailboxContext } from '../context.js';
import { unary } from '../rpc/handler.js';
import { addTenant, getTenant, listTenants, pageLimit, removeTenant } from '../store/tenants.js';
import { nextPageToken, removalCounts } from './pages.js';

export const AddTenant = (ctx: MailboxContext) =>
  unary<AddTenantRequest__Output, TenantInfo>(ctx.log, 'AddTenant', async (req) => {
    await addTenant(ctx.db, req.domain);
    return getTenant(ctx.db, req.domain);
  });

export const RemoveTenant = (ctx: MailboxContext) =>
  unary<RemoveTenantRequest__Output, RemovalCounts>(ctx.log, 'RemoveTenant', async (req) => {
    const removal = await removeTenant(ctx.db, req.domain, { force: req.force });
    ctx.committed(removal.events);
    return removalCounts(removal);
  });

export const ListTenants = (ctx: MailboxContext) =>
  unary<ListTenantsRequest__Output, ListTenantsResponse>(ctx.log, 'ListTenants', async (req) => {
    const page = { after: req.pageToken, limit: pageLimit({ limit: req.pageSize }) };
    const tenants = await listTenants(ctx.db, page);
    return { tenants, nextPageToken: nextPageToken(tenants, page.limit, (t) => t.domain) };
  });
