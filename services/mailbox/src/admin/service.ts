// The AdminService: tenants, accounts, aliases and quotas, for control panels. It is
// served on a listener of its own, not over the edge's Multiplex stream.
import { loadAdminProto, type AdminServiceHandlers, type grpc } from '@kimap/common';
import type { MailboxContext } from '../context.js';
import { requireToken } from './auth.js';
import { AddAlias, ListAliases, RemoveAlias, ResolveAddress } from './aliases.js';
import { GetTenantQuota, GetUserQuota, SetTenantQuota, SetUserQuota } from './quota.js';
import { AddTenant, ListTenants, RemoveTenant } from './tenants.js';
import { AddUser, DisableUser, EnableUser, ListUsers, RemoveUser, SetPassword } from './users.js';

export function addAdminService(server: grpc.Server, ctx: MailboxContext, token: string | undefined): void {
  const handlers: AdminServiceHandlers = {
    AddTenant: AddTenant(ctx),
    RemoveTenant: RemoveTenant(ctx),
    ListTenants: ListTenants(ctx),
    AddUser: AddUser(ctx),
    RemoveUser: RemoveUser(ctx),
    ListUsers: ListUsers(ctx),
    SetPassword: SetPassword(ctx),
    DisableUser: DisableUser(ctx),
    EnableUser: EnableUser(ctx),
    AddAlias: AddAlias(ctx),
    RemoveAlias: RemoveAlias(ctx),
    ListAliases: ListAliases(ctx),
    ResolveAddress: ResolveAddress(ctx),
    SetUserQuota: SetUserQuota(ctx),
    GetUserQuota: GetUserQuota(ctx),
    SetTenantQuota: SetTenantQuota(ctx),
    GetTenantQuota: GetTenantQuota(ctx),
  };
  const guarded = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [name, requireToken(token, handler as grpc.handleUnaryCall<unknown, unknown>)]),
  );
  server.addService(loadAdminProto().mail.v1.AdminService.service, guarded);
}
