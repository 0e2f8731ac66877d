import type { GetChangesRequest__Output } from '@kimap/common/generated/mail/v1/GetChangesRequest';
import type { ChangesResponse } from '@kimap/common/generated/mail/v1/ChangesResponse';
import type { MailboxContext } from '../context.js';
import { countMessages, listMailboxes } from '../store/mailboxes.js';
import { changesSince } from '../store/messages.js';
import { notFound } from '../store/errors.js';
import { accountOf, serverStream } from './handler.js';
import { statusMessage } from './mailboxes.js';

export const GetChanges = (ctx: MailboxContext) =>
  serverStream<GetChangesRequest__Output, ChangesResponse>(ctx.log, 'GetChanges', async function* (req) {
    const accountId = accountOf(req);
    const result = await ctx.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const mb = (await listMailboxes(tx, accountId)).find((m) => m.mailboxId === req.mailboxId);
      if (!mb) throw notFound('Mailbox no longer exists');
      const counts = await countMessages(tx, accountId, mb.mailboxId);
      const changes = await changesSince(tx, accountId, mb.mailboxId, req.sinceModseq);
      return { status: { ...mb, ...counts }, changes };
    });
    yield { status: statusMessage(result.status) };
    for (const m of result.changes.changed) yield { message: m };
    if (result.changes.expunged.length > 0) yield { expunged: { uids: result.changes.expunged } };
  });
