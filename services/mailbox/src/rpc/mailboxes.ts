// ListMailboxes, CreateMailbox, GetStatus, DeleteMailbox, RenameMailbox.
import type { ListMailboxesRequest__Output } from '@kimap/common/generated/mail/v1/ListMailboxesRequest';
import type { ListMailboxesResponse } from '@kimap/common/generated/mail/v1/ListMailboxesResponse';
import type { CreateMailboxRequest__Output } from '@kimap/common/generated/mail/v1/CreateMailboxRequest';
import type { MailboxInfo } from '@kimap/common/generated/mail/v1/MailboxInfo';
import type { GetStatusRequest__Output } from '@kimap/common/generated/mail/v1/GetStatusRequest';
import type { MailboxStatus } from '@kimap/common/generated/mail/v1/MailboxStatus';
import type { DeleteMailboxRequest__Output } from '@kimap/common/generated/mail/v1/DeleteMailboxRequest';
import type { DeleteMailboxResponse } from '@kimap/common/generated/mail/v1/DeleteMailboxResponse';
import type { RenameMailboxRequest__Output } from '@kimap/common/generated/mail/v1/RenameMailboxRequest';
import type { RenameMailboxResponse } from '@kimap/common/generated/mail/v1/RenameMailboxResponse';
import type { MailboxContext } from '../context.js';
import { createMailbox, deleteMailbox, listMailboxes, mailboxStatus, renameMailbox } from '../store/mailboxes.js';
import { recordChange } from '../store/outbox.js';
import { orphanSubscriptions } from '../store/subscriptions.js';
import { accountOf, unary } from './handler.js';

export const ListMailboxes = (ctx: MailboxContext) =>
  unary<ListMailboxesRequest__Output, ListMailboxesResponse>(ctx.log, 'ListMailboxes', async (req) => {
    const accountId = accountOf(req);
    return { mailboxes: await listMailboxes(ctx.db, accountId), orphanSubscriptions: await orphanSubscriptions(ctx.db, accountId) };
  });

export const CreateMailbox = (ctx: MailboxContext) =>
  unary<CreateMailboxRequest__Output, MailboxInfo>(ctx.log, 'CreateMailbox', async (req) => {
    const accountId = accountOf(req);
    const created = await ctx.db.transaction(async (tx) => {
      const mb = await createMailbox(tx, accountId, req.name, req.specialUse);
      await recordChange(tx, { accountId, mailboxId: mb.mailboxId, modseq: 0, kind: 'mailbox' });
      return mb;
    });
    ctx.changed();
    return created;
  });

export const GetStatus = (ctx: MailboxContext) =>
  unary<GetStatusRequest__Output, MailboxStatus>(ctx.log, 'GetStatus', async (req) => mailboxStatus(ctx.db, accountOf(req), req.name));

export const DeleteMailbox = (ctx: MailboxContext) =>
  unary<DeleteMailboxRequest__Output, DeleteMailboxResponse>(ctx.log, 'DeleteMailbox', async (req) => {
    const accountId = accountOf(req);
    await ctx.db.transaction((tx) => deleteMailbox(tx, accountId, req.name));
    ctx.changed();
    return {};
  });

export const RenameMailbox = (ctx: MailboxContext) =>
  unary<RenameMailboxRequest__Output, RenameMailboxResponse>(ctx.log, 'RenameMailbox', async (req) => {
    const accountId = accountOf(req);
    await ctx.db.transaction((tx) => renameMailbox(tx, accountId, req.fromName, req.toName));
    ctx.changed();
    return {};
  });
