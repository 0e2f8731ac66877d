import type { AppendRequest__Output } from '@kimap/common/generated/mail/v1/AppendRequest';
import type { AppendResponse } from '@kimap/common/generated/mail/v1/AppendResponse';
import { grpc, RpcError } from '@kimap/common';
import type { MailboxContext } from '../context.js';
import { mailboxAccess, requireRight } from '../store/acl.js';
import { appendMessages } from '../store/messages.js';
import { markSeenBy, permittedFlags } from '../store/shared.js';
import { accountOf, unary } from './handler.js';

export const Append = (ctx: MailboxContext) =>
  unary<AppendRequest__Output, AppendResponse>(ctx.log, 'Append', async (req) => {
    const principal = accountOf(req);
    if (req.items.length === 0) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'no message to append', 'CLIENTBUG');
    if (!req.owner) {
      const { event, ...appended } = await appendMessages(ctx.db, principal, req.mailbox, req.items, { claimRecent: req.claimRecent });
      ctx.committed([event]);
      return appended;
    }
    // Into another account's mailbox: the i right, and only the flags the rights allow (RFC 4314 4);
    // \Seen is the principal's own there.
    const access = await mailboxAccess(ctx.db, principal, req.owner, req.mailbox);
    requireRight(access, 'i', 'APPEND');
    const items = req.items.map((i) => ({ ...i, flags: permittedFlags(i.flags, access.rights).filter((f) => f !== '\\Seen') }));
    const seen = req.items.map((i) => access.rights.includes('s') && i.flags.some((f) => f.toLowerCase() === '\\seen'));
    const { event, ...appended } = await ctx.db.transaction(async (tx) => {
      const r = await appendMessages(tx, access.ownerId, req.mailbox, items, { claimRecent: req.claimRecent });
      await markSeenBy(
        tx,
        access.ownerId,
        r.mailboxId,
        principal,
        r.uids.filter((_, i) => seen[i]),
      );
      return r;
    });
    ctx.committed([event]);
    return appended;
  });
