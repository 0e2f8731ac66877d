import type { AppendRequest__Output } from '@kimap/common/generated/mail/v1/AppendRequest';
import type { AppendResponse } from '@kimap/common/generated/mail/v1/AppendResponse';
import { grpc, RpcError } from '@kimap/common';
import type { MailboxContext } from '../context.js';
import { appendMessages } from '../store/messages.js';
import { accountOf, unary } from './handler.js';

export const Append = (ctx: MailboxContext) =>
  unary<AppendRequest__Output, AppendResponse>(ctx.log, 'Append', async (req) => {
    const accountId = accountOf(req);
    if (req.items.length === 0) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'no message to append', 'CLIENTBUG');
    const { event, ...appended } = await appendMessages(ctx.db, accountId, req.mailbox, req.items);
    ctx.committed([event]);
    return appended;
  });
