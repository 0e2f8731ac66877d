import type { SelectRequest__Output } from '@kimap/common/generated/mail/v1/SelectRequest';
import type { SelectResponse } from '@kimap/common/generated/mail/v1/SelectResponse';
import type { MailboxContext } from '../context.js';
import { mailboxStatus } from '../store/mailboxes.js';
import { listUids } from '../store/messages.js';
import { accountOf, serverStream } from './handler.js';
import { statusMessage } from './mailboxes.js';

export const Select = (ctx: MailboxContext) =>
  serverStream<SelectRequest__Output, SelectResponse>(ctx.log, 'Select', async function* (req, cancelled) {
    const accountId = accountOf(req);
    // The status and the UID list must describe the same moment: read both in
    // one snapshot so no message can appear in one and not the other.
    const snapshot = await ctx.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const status = await mailboxStatus(tx, accountId, req.name);
      const chunks: number[][] = [];
      for await (const uids of listUids(tx, accountId, status.mailboxId)) {
        if (cancelled()) break;
        chunks.push(uids);
      }
      return { status, chunks };
    });
    yield { status: statusMessage(snapshot.status) };
    for (const uids of snapshot.chunks) yield { uids: { uids } };
  });
