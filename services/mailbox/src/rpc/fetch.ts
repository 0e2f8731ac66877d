import type { FetchRequest__Output } from '@kimap/common/generated/mail/v1/FetchRequest';
import type { FetchResponse } from '@kimap/common/generated/mail/v1/FetchResponse';
import type { MailboxContext } from '../context.js';
import { storeFlags } from '../store/flags.js';
import { fetchColumnPages, fetchMessagePages, type FetchedMessage } from '../store/messages.js';
import { accountOf, serverStream } from './handler.js';

/** A stream message carries a page of rows, split so that none grows past this many bytes of content. */
const BATCH_BYTES = 4 * 1024 * 1024;

export const Fetch = (ctx: MailboxContext) =>
  serverStream<FetchRequest__Output, FetchResponse>(ctx.log, 'Fetch', async function* (req, cancelled) {
    const accountId = accountOf(req);
    // A non-PEEK body FETCH sets \Seen: a STORE +FLAGS (\Seen) of the same messages.
    if (req.markSeen && req.uids.length > 0) {
      const seen = await storeFlags(ctx.db, accountId, req.mailboxId, req.uids, 'add', ['\\Seen']);
      ctx.committed([seen.event]);
    }
    if (req.columns && !req.raw && !req.header && !req.bodyStructure && !req.envelope) {
      // UIDs, MODSEQs and flags of a big mailbox: from memory, brought up to date.
      const cached =
        ctx.metadata && !req.internalDate && !req.size && ctx.metadata.covers(req.uids)
          ? await ctx.metadata.pages(ctx.db, accountId, req.mailboxId, req.uids, req)
          : undefined;
      for await (const columns of cached ?? fetchColumnPages(ctx.db, accountId, req.mailboxId, req.uids, req)) {
        if (cancelled()) return;
        yield { columns };
      }
      return;
    }
    for await (const page of fetchMessagePages(ctx.db, accountId, req.mailboxId, req.uids, req)) {
      let batch: FetchedMessage[] = [];
      let bytes = 0;
      for (const m of page) {
        const size = (m.raw?.length ?? 0) + (m.header?.length ?? 0) + (m.bodyStructureJson?.length ?? 0) + (m.envelopeJson?.length ?? 0);
        if (batch.length > 0 && bytes + size > BATCH_BYTES) {
          if (cancelled()) return;
          yield { messages: batch };
          batch = [];
          bytes = 0;
        }
        batch.push(m);
        bytes += size;
      }
      if (cancelled()) return;
      if (batch.length) yield { messages: batch };
    }
  });
