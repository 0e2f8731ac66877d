import type { AppendRequest__Output } from '@kimap/common/generated/mail/v1/AppendRequest';
import type { AppendResponse } from '@kimap/common/generated/mail/v1/AppendResponse';
import type { MailboxContext } from '../context.js';
import { appendMessage } from '../store/messages.js';
import { accountOf, unary } from './handler.js';

export const Append = (ctx: MailboxContext) =>
  unary<AppendRequest__Output, AppendResponse>(ctx.log, 'Append', async (req) => {
    const accountId = accountOf(req);
    const result = await ctx.db.transaction((tx) =>
      appendMessage(tx, {
        accountId,
        mailbox: req.mailbox,
        flags: req.flags,
        internalDate: req.internalDateMs ? new Date(req.internalDateMs) : new Date(),
        raw: req.message,
      }),
    );
    ctx.changed();
    return result;
  });
