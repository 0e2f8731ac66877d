// AddUser, RemoveUser, ListUsers, SetPassword, DisableUser, EnableUser.
import type { AddUserRequest__Output } from '@kimap/common/generated/mail/v1/AddUserRequest';
import type { ListUsersRequest__Output } from '@kimap/common/generated/mail/v1/ListUsersRequest';
import type { ListUsersResponse } from '@kimap/common/generated/mail/v1/ListUsersResponse';
import type { RemovalCounts } from '@kimap/common/generated/mail/v1/RemovalCounts';
import type { RemoveUserRequest__Output } from '@kimap/common/generated/mail/v1/RemoveUserRequest';
import type { SetPasswordRequest__Output } from '@kimap/common/generated/mail/v1/SetPasswordRequest';
import type { UserInfo } from '@kimap/common/generated/mail/v1/UserInfo';
import type { UserRequest__Output } from '@kimap/common/generated/mail/v1/UserRequest';
import type { MailboxContext } from '../context.js';
import { unary } from '../rpc/handler.js';
import { addUser, checkNewUser, getUser, listUsers, removeUser, setDisabled, setPassword } from '../store/accounts.js';
import { checkPassword } from '../store/addresses.js';
import { pageLimit } from '../store/tenants.js';
import { nextPageToken, removalCounts } from './pages.js';

export const AddUser = (ctx: MailboxContext) =>
  unary<AddUserRequest__Output, UserInfo>(ctx.log, 'AddUser', async (req) => {
    // The address (form, tenant, duplicate) before the password.
    const { address } = await checkNewUser(ctx.db, req.address);
    checkPassword(req.password);
    await addUser(ctx.db, address, req.password);
    return getUser(ctx.db, address);
  });

export const RemoveUser = (ctx: MailboxContext) =>
  unary<RemoveUserRequest__Output, RemovalCounts>(ctx.log, 'RemoveUser', async (req) => {
    const removal = await removeUser(ctx.db, req.address, { force: req.force });
    ctx.committed(removal.events);
    return removalCounts(removal);
  });

export const ListUsers = (ctx: MailboxContext) =>
  unary<ListUsersRequest__Output, ListUsersResponse>(ctx.log, 'ListUsers', async (req) => {
    const page = { after: req.pageToken, limit: pageLimit({ limit: req.pageSize }) };
    const users = await listUsers(ctx.db, { domain: req.domain }, page);
    return { users, nextPageToken: nextPageToken(users, page.limit, (u) => u.address) };
  });

export const SetPassword = (ctx: MailboxContext) =>
  unary<SetPasswordRequest__Output, UserInfo>(ctx.log, 'SetPassword', async (req) => {
    const { address } = await getUser(ctx.db, req.address);
    checkPassword(req.password);
    const change = await setPassword(ctx.db, address, req.password);
    ctx.committed([change.event]);
    return getUser(ctx.db, address);
  });

const setDisabledTo = (disabled: boolean) => (ctx: MailboxContext) =>
  unary<UserRequest__Output, UserInfo>(ctx.log, disabled ? 'DisableUser' : 'EnableUser', async (req) => {
    const change = await setDisabled(ctx.db, req.address, disabled);
    ctx.committed([change.event]);
    return getUser(ctx.db, change.address);
  });

export const DisableUser = setDisabledTo(true);
export const EnableUser = setDisabledTo(false);
