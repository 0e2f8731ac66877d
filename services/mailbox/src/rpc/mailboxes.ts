// ListMailboxes, CreateMailbox, GetStatus, GetStatuses, DeleteMailbox, RenameMailbox.
import type { ListMailboxesRequest__Output } from '@kimap/common/generated/mail/v1/ListMailboxesRequest';
import type { ListMailboxesResponse } from '@kimap/common/generated/mail/v1/ListMailboxesResponse';
import type { CreateMailboxRequest__Output } from '@kimap/common/generated/mail/v1/CreateMailboxRequest';
import type { MailboxInfo } from '@kimap/common/generated/mail/v1/MailboxInfo';
import type { GetStatusRequest__Output } from '@kimap/common/generated/mail/v1/GetStatusRequest';
import type { GetStatusesRequest__Output } from '@kimap/common/generated/mail/v1/GetStatusesRequest';
import type { GetStatusesResponse } from '@kimap/common/generated/mail/v1/GetStatusesResponse';
import type { MailboxStatus } from '@kimap/common/generated/mail/v1/MailboxStatus';
import type { DeleteMailboxRequest__Output } from '@kimap/common/generated/mail/v1/DeleteMailboxRequest';
import type { DeleteMailboxResponse } from '@kimap/common/generated/mail/v1/DeleteMailboxResponse';
import type { RenameMailboxRequest__Output } from '@kimap/common/generated/mail/v1/RenameMailboxRequest';
import type { RenameMailboxResponse } from '@kimap/common/generated/mail/v1/RenameMailboxResponse';
import type { MailboxContext } from '../context.js';
import { mailboxAccess, parentAccess, requireRight, sharedMailboxes } from '../store/acl.js';
import { allMailboxStatuses, createMailbox, deleteMailbox, listMailboxes, mailboxStatus, renameMailbox } from '../store/mailboxes.js';
import { unseenBy } from '../store/shared.js';
import { recordChange } from '../store/outbox.js';
import { orphanSubscriptions, withSharedSubscriptions } from '../store/subscriptions.js';
import { accountOf, unary } from './handler.js';

export const ListMailboxes = (ctx: MailboxContext) =>
  unary<ListMailboxesRequest__Output, ListMailboxesResponse>(ctx.log, 'ListMailboxes', async (req) => {
    const accountId = accountOf(req);
    const [mailboxes, orphans, shared] = await Promise.all([
      listMailboxes(ctx.db, accountId),
      orphanSubscriptions(ctx.db, accountId),
      sharedMailboxes(ctx.db, accountId),
    ]);
    return { mailboxes, ...withSharedSubscriptions(shared, orphans) };
  });

export const CreateMailbox = (ctx: MailboxContext) =>
  unary<CreateMailboxRequest__Output, MailboxInfo>(ctx.log, 'CreateMailbox', async (req) => {
    const principal = accountOf(req);
    const created = await ctx.db.transaction(async (tx) => {
      // Below another account's mailbox: the k right on the nearest existing parent.
      const accountId = req.owner ? (await parentAccess(tx, principal, req.owner, req.name)).ownerId : principal;
      const mb = await createMailbox(tx, accountId, req.name, req.specialUse);
      await recordChange(tx, { accountId, mailboxId: mb.mailboxId, modseq: 0, kind: 'mailbox' });
      return mb;
    });
    ctx.changed();
    return created;
  });

export const GetStatus = (ctx: MailboxContext) =>
  unary<GetStatusRequest__Output, MailboxStatus>(ctx.log, 'GetStatus', async (req) => {
    const principal = accountOf(req);
    const opts = { deletedSize: req.deletedSize, recent: req.recent };
    if (!req.owner) return mailboxStatus(ctx.db, principal, req.name, opts);
    const access = await mailboxAccess(ctx.db, principal, req.owner, req.name);
    requireRight(access, 'r', 'STATUS');
    const [status, unseen] = await Promise.all([
      mailboxStatus(ctx.db, access.ownerId, req.name, opts),
      unseenBy(ctx.db, access.ownerId, access.mailboxId, principal),
    ]);
    return { ...status, unseen, rights: access.rights };
  });

export const GetStatuses = (ctx: MailboxContext) =>
  unary<GetStatusesRequest__Output, GetStatusesResponse>(ctx.log, 'GetStatuses', async (req) => ({
    statuses: await allMailboxStatuses(ctx.db, accountOf(req), { deletedSize: req.deletedSize, recent: req.recent }),
  }));

export const DeleteMailbox = (ctx: MailboxContext) =>
  unary<DeleteMailboxRequest__Output, DeleteMailboxResponse>(ctx.log, 'DeleteMailbox', async (req) => {
    const principal = accountOf(req);
    await ctx.db.transaction(async (tx) => {
      let accountId = principal;
      if (req.owner) {
        const access = await mailboxAccess(tx, principal, req.owner, req.name);
        requireRight(access, 'x', 'DELETE');
        accountId = access.ownerId;
      }
      await deleteMailbox(tx, accountId, req.name);
    });
    ctx.changed();
    return {};
  });

export const RenameMailbox = (ctx: MailboxContext) =>
  unary<RenameMailboxRequest__Output, RenameMailboxResponse>(ctx.log, 'RenameMailbox', async (req) => {
    const principal = accountOf(req);
    await ctx.db.transaction(async (tx) => {
      let accountId = principal;
      if (req.owner) {
        // x on the mailbox, k on the new parent (RFC 4314 4); within the owner's account only.
        const access = await mailboxAccess(tx, principal, req.owner, req.fromName);
        requireRight(access, 'x', 'RENAME');
        await parentAccess(tx, principal, req.owner, req.toName);
        accountId = access.ownerId;
      }
      await renameMailbox(tx, accountId, req.fromName, req.toName);
    });
    ctx.changed();
    return {};
  });
