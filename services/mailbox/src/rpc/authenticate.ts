import type { AuthenticateRequest__Output } from '@kimap/common/generated/mail/v1/AuthenticateRequest';
import type { AuthenticateResponse } from '@kimap/common/generated/mail/v1/AuthenticateResponse';
import type { MailboxContext } from '../context.js';
import { unary } from './handler.js';

/** Checks credentials under the login throttle (login-throttle.ts), which answers the failures. */
export const Authenticate = (ctx: MailboxContext) =>
  unary<AuthenticateRequest__Output, AuthenticateResponse>(ctx.log, 'Authenticate', (req) =>
    ctx.logins.authenticate(req.username, req.password, req.remoteIp),
  );
