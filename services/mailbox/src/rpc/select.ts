import type { SelectRequest__Output } from '@kimap/common/generated/mail/v1/SelectRequest';
import type { SelectResponse } from '@kimap/common/generated/mail/v1/SelectResponse';
import type { MailboxContext } from '../context.js';
import { mailboxStatus } from '../store/mailboxes.js';
import { accountOf, serverStream } from './handler.js';
import { statusMessage } from './mailboxes.js';

/** UIDs per gRPC message: 64 Ki UIDs packed is about 300 KB. */
const UID_CHUNK = 65536;

export const Select = (ctx: MailboxContext) =>
  serverStream<SelectRequest__Output, SelectResponse>(ctx.log, 'Select', async function* (req, cancelled) {
    const accountId = accountOf(req);
    // The status and the UID list must describe the same moment: read both in
    // one snapshot so no message can appear in one and not the other.
    const snapshot = await ctx.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const status = await mailboxStatus(tx, accountId, req.name);
      // One round trip for every UID, however large the mailbox.
      const { rows } = await tx.query<{ uids: number[] | null }>(
        'SELECT array_agg(uid ORDER BY uid) AS uids FROM messages WHERE account_id = $1 AND mailbox_id = $2',
        [accountId, status.mailboxId],
      );
      return { status, uids: (rows[0]?.uids ?? []).map(Number) };
    });
    yield { status: statusMessage(snapshot.status) };
    for (let i = 0; i < snapshot.uids.length && !cancelled(); i += UID_CHUNK) yield { uids: { uids: snapshot.uids.slice(i, i + UID_CHUNK) } };
  });
