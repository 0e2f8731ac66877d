import type { AuthenticateRequest__Output } from '@kimap/common/generated/mail/v1/AuthenticateRequest';
import type { AuthenticateResponse } from '@kimap/common/generated/mail/v1/AuthenticateResponse';
import type { MailboxContext } from '../context.js';
import { authenticate } from '../store/accounts.js';
import { unauthenticated } from '../store/errors.js';
import { unary } from './handler.js';

export const Authenticate = (ctx: MailboxContext) =>
  unary<AuthenticateRequest__Output, AuthenticateResponse>(ctx.log, 'Authenticate', async (req) => {
    const login = await authenticate(ctx.db, req.username, req.password);
    if (!login) throw unauthenticated();
    return login;
  });
