// GetAcl and SetAcl: MYRIGHTS, GETACL and LISTRIGHTS read, SETACL and DELETEACL write.
import { grpc, RpcError } from '@kimap/common';
import type { GetAclRequest__Output } from '@kimap/common/generated/mail/v1/GetAclRequest';
import type { AclResponse } from '@kimap/common/generated/mail/v1/AclResponse';
import type { SetAclRequest__Output } from '@kimap/common/generated/mail/v1/SetAclRequest';
import type { SetAclResponse } from '@kimap/common/generated/mail/v1/SetAclResponse';
import type { MailboxContext } from '../context.js';
import { accessByName, aclEntries, changeAcl, requireRight, type AclChange } from '../store/acl.js';
import { accountOf, unary } from './handler.js';

export const GetAcl = (ctx: MailboxContext) =>
  unary<GetAclRequest__Output, AclResponse>(ctx.log, 'GetAcl', async (req) => {
    const principal = accountOf(req);
    const access = await accessByName(ctx.db, principal, req.owner, req.name);
    if (!req.entries) return { owner: req.owner, myRights: access.rights, entries: [] };
    requireRight(access, 'a', 'reading the ACL');
    const entries = await aclEntries(ctx.db, access.ownerId, access.mailboxId);
    return { owner: entries[0]?.identifier ?? req.owner, myRights: access.rights, entries };
  });

const CHANGES: Record<string, AclChange> = {
  ACL_MODE_REPLACE: 'replace',
  ACL_MODE_ADD: 'add',
  ACL_MODE_REMOVE: 'remove',
  ACL_MODE_DELETE: 'delete',
};

export const SetAcl = (ctx: MailboxContext) =>
  unary<SetAclRequest__Output, SetAclResponse>(ctx.log, 'SetAcl', async (req) => {
    const principal = accountOf(req);
    const change = CHANGES[req.mode];
    if (!change) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'mode is required', 'CLIENTBUG');
    if (!req.identifier) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'identifier is required', 'CLIENTBUG');
    const rights = await ctx.db.transaction(async (tx) => {
      const access = await accessByName(tx, principal, req.owner, req.name);
      requireRight(access, 'a', 'changing the ACL');
      return changeAcl(tx, access.ownerId, access.mailboxId, req.identifier, change, req.rights);
    });
    ctx.changed();
    return { rights };
  });
