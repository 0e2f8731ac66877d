// GetQuota: the account's quota roots as RFC 9208 shows them (the edge names them).
import type { GetQuotaRequest__Output } from '@kimap/common/generated/mail/v1/GetQuotaRequest';
import type { GetQuotaResponse } from '@kimap/common/generated/mail/v1/GetQuotaResponse';
import type { MailboxContext } from '../context.js';
import { accountQuota } from '../store/quota.js';
import { accountOf, unary } from './handler.js';

export const GetQuota = (ctx: MailboxContext) =>
  unary<GetQuotaRequest__Output, GetQuotaResponse>(ctx.log, 'GetQuota', async (req) => accountQuota(ctx.db, accountOf(req), req.mailbox));
