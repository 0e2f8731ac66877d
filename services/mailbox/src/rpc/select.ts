import type { SelectRequest__Output } from '@kimap/common/generated/mail/v1/SelectRequest';
import type { SelectResponse } from '@kimap/common/generated/mail/v1/SelectResponse';
import type { MailboxContext } from '../context.js';
import { selectMailbox } from '../store/mailboxes.js';
import { accountOf, serverStream } from './handler.js';
import { statusMessage } from './mailboxes.js';

/** Runs per gRPC message: 32 Ki runs packed is about 300 KB. */
const RUN_CHUNK = 32768;

export const Select = (ctx: MailboxContext) =>
  serverStream<SelectRequest__Output, SelectResponse>(ctx.log, 'Select', async function* (req, cancelled) {
    const accountId = accountOf(req);
    const { status, firsts, lasts } = await selectMailbox(ctx.db, accountId, req.name);
    yield { status: statusMessage(status) };
    for (let i = 0; i < firsts.length && !cancelled(); i += RUN_CHUNK) {
      yield { runs: { first: firsts.slice(i, i + RUN_CHUNK), last: lasts.slice(i, i + RUN_CHUNK) } };
    }
  });
