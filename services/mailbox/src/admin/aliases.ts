// AddAlias, RemoveAlias, ListAliases, ResolveAddress.
import type { AddAliasRequest__Output } from '@kimap/common/generated/mail/v1/AddAliasRequest';
import type { AliasInfo } from '@kimap/common/generated/mail/v1/AliasInfo';
import type { ListAliasesRequest__Output } from '@kimap/common/generated/mail/v1/ListAliasesRequest';
import type { ListAliasesResponse } from '@kimap/common/generated/mail/v1/ListAliasesResponse';
import type { RemoveAliasRequest__Output } from '@kimap/common/generated/mail/v1/RemoveAliasRequest';
import type { ResolveAddressRequest__Output } from '@kimap/common/generated/mail/v1/ResolveAddressRequest';
import type { ResolvedAddress } from '@kimap/common/generated/mail/v1/ResolvedAddress';
import type { MailboxContext } from '../context.js';
import { unary } from '../rpc/handler.js';
import { addAlias, listAliases, removeAlias, resolveAddress } from '../store/aliases.js';
import { invalid, notFound } from '../store/errors.js';
import { pageLimit } from '../store/tenants.js';
import { nextPageToken } from './pages.js';

export const AddAlias = (ctx: MailboxContext) =>
  unary<AddAliasRequest__Output, AliasInfo>(ctx.log, 'AddAlias', (req) => addAlias(ctx.db, req.address, req.target));

export const RemoveAlias = (ctx: MailboxContext) =>
  unary<RemoveAliasRequest__Output, AliasInfo>(ctx.log, 'RemoveAlias', (req) => removeAlias(ctx.db, req.address));

export const ListAliases = (ctx: MailboxContext) =>
  unary<ListAliasesRequest__Output, ListAliasesResponse>(ctx.log, 'ListAliases', async (req) => {
    if (req.domain && req.target) throw invalid('Give a domain or a target, not both');
    const page = { after: req.pageToken, limit: pageLimit({ limit: req.pageSize }) };
    const aliases = await listAliases(ctx.db, { domain: req.domain, target: req.target }, page);
    return { aliases, nextPageToken: nextPageToken(aliases, page.limit, (a) => a.address) };
  });

export const ResolveAddress = (ctx: MailboxContext) =>
  unary<ResolveAddressRequest__Output, ResolvedAddress>(ctx.log, 'ResolveAddress', async (req) => {
    const r = await resolveAddress(ctx.db, req.address);
    if (!r) throw notFound(`No account receives mail for ${req.address.trim().toLowerCase()}`);
    return { ...r.account, username: r.username, disabled: r.disabled, detail: r.detail, via: r.via };
  });
