// DeleteMailbox, RenameMailbox, SetSubscribed.
import type { DeleteMailboxRequest__Output } from '@kimap/common/generated/mail/v1/DeleteMailboxRequest';
import type { DeleteMailboxResponse } from '@kimap/common/generated/mail/v1/DeleteMailboxResponse';
import type { RenameMailboxRequest__Output } from '@kimap/common/generated/mail/v1/RenameMailboxRequest';
import type { RenameMailboxResponse } from '@kimap/common/generated/mail/v1/RenameMailboxResponse';
import type { SetSubscribedRequest__Output } from '@kimap/common/generated/mail/v1/SetSubscribedRequest';
import type { SetSubscribedResponse } from '@kimap/common/generated/mail/v1/SetSubscribedResponse';
import type { MailboxContext } from '../context.js';
import { deleteMailbox, renameMailbox, setSubscribed } from '../store/mailbox-ops.js';
import { accountOf, unary } from './handler.js';

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

export const SetSubscribed = (ctx: MailboxContext) =>
  unary<SetSubscribedRequest__Output, SetSubscribedResponse>(ctx.log, 'SetSubscribed', async (req) => {
    const accountId = accountOf(req);
    await ctx.db.transaction((tx) => setSubscribed(tx, accountId, req.name, req.subscribed));
    ctx.changed();
    return {};
  });
