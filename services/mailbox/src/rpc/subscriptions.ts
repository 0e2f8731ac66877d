// SetSubscribed.
import type { SetSubscribedRequest__Output } from '@kimap/common/generated/mail/v1/SetSubscribedRequest';
import type { SetSubscribedResponse } from '@kimap/common/generated/mail/v1/SetSubscribedResponse';
import type { MailboxContext } from '../context.js';
import { setSubscribed } from '../store/subscriptions.js';
import { accountOf, unary } from './handler.js';

export const SetSubscribed = (ctx: MailboxContext) =>
  unary<SetSubscribedRequest__Output, SetSubscribedResponse>(ctx.log, 'SetSubscribed', async (req) => {
    const accountId = accountOf(req);
    await ctx.db.transaction((tx) => setSubscribed(tx, accountId, req.name, req.subscribed, req.owner));
    ctx.changed();
    return {};
  });
