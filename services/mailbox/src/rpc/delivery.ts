// Delivery (LMTP): recipients checked at RCPT, the message stored after DATA.
import type { CheckRecipientRequest__Output } from '@kimap/common/generated/mail/v1/CheckRecipientRequest';
import type { CheckRecipientResponse } from '@kimap/common/generated/mail/v1/CheckRecipientResponse';
import type { DeliverRequest__Output } from '@kimap/common/generated/mail/v1/DeliverRequest';
import type { DeliverResponse } from '@kimap/common/generated/mail/v1/DeliverResponse';
import { grpc, RpcError } from '@kimap/common';
import { unary } from './handler.js';
import type { MailboxContext } from '../context.js';
import { deliverMessage } from '../store/delivery.js';
import { exceedsQuota, resolveRecipients } from '../store/recipients.js';

export const CheckRecipient = (ctx: MailboxContext) =>
  unary<CheckRecipientRequest__Output, CheckRecipientResponse>(ctx.log, 'CheckRecipient', async (req) => {
    const [recipient] = await resolveRecipients(ctx.db, [req.address]);
    if (!recipient) return { status: 'DELIVERY_STATUS_UNKNOWN_RECIPIENT' };
    if (exceedsQuota(recipient, Number(req.size))) return { status: 'DELIVERY_STATUS_OVER_QUOTA' };
    return { status: 'DELIVERY_STATUS_OK' };
  });

export const Deliver = (ctx: MailboxContext) =>
  unary<DeliverRequest__Output, DeliverResponse>(ctx.log, 'Deliver', async (req) => {
    if (req.recipients.length === 0) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'no recipient', 'CLIENTBUG');
    if (!req.trace) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'trace is required', 'CLIENTBUG');
    const results = await deliverMessage(
      ctx.db,
      { message: req.message, recipients: req.recipients, trace: req.trace },
      { onCommitted: (event) => ctx.committed([event]), log: ctx.log },
    );
    return { results };
  });
