import type { FetchRequest__Output } from '@kimap/common/generated/mail/v1/FetchRequest';
import type { FetchResponse } from '@kimap/common/generated/mail/v1/FetchResponse';
import type { MailboxContext } from '../context.js';
import { mailboxAccessById, requireRight } from '../store/acl.js';
import { storeFlags } from '../store/flags.js';
import { storeSharedFlags } from '../store/shared.js';
import { fetchColumnPages, fetchMessagePages, type FetchedMessage } from '../store/messages.js';
import { accountOf, serverStream } from './handler.js';

/** A stream message carries a page of rows, split so that none grows past this many bytes of content. */
const BATCH_BYTES = 4 * 1024 * 1024;

export const Fetch = (ctx: MailboxContext) =>
  serverStream<FetchRequest__Output, FetchResponse>(ctx.log, 'Fetch', async function* (req, cancelled) {
    const principal = accountOf(req);
    let accountId = principal;
    // Another account's mailbox: the principal's own \Seen there (see readerFlags).
    let reader: number | undefined;
    let maySetSeen = true;
    if (req.owner) {
      const access = await mailboxAccessById(ctx.db, principal, req.owner, req.mailboxId);
      requireRight(access, 'r', 'FETCH');
      accountId = access.ownerId;
      reader = principal;
      // Without the s right a FETCH that would set \Seen leaves it (RFC 4314 4).
      maySetSeen = access.rights.includes('s');
    }
    // A non-PEEK body FETCH sets \Seen: a STORE +FLAGS (\Seen) of the same messages.
    if (req.markSeen && maySetSeen && req.uids.length > 0) {
      const seen = reader
        ? await storeSharedFlags(ctx.db, accountId, req.mailboxId, reader, 's', req.uids, 'add', ['\\Seen'])
        : await storeFlags(ctx.db, accountId, req.mailboxId, req.uids, 'add', ['\\Seen']);
      ctx.committed([seen.event]);
    }
    const opts = reader ? { ...req, reader } : req;
    if (req.columns && !req.raw && !req.header && !req.bodyStructure && !req.envelope) {
      // UIDs, MODSEQs and flags of a big mailbox: from memory, brought up to date (the owner's flags only).
      const cached =
        ctx.metadata && !reader && !req.internalDate && !req.size && ctx.metadata.covers(req.uids)
          ? await ctx.metadata.pages(ctx.db, accountId, req.mailboxId, req.uids, req)
          : undefined;
      for await (const columns of cached ?? fetchColumnPages(ctx.db, accountId, req.mailboxId, req.uids, opts)) {
        if (cancelled()) return;
        yield { columns };
      }
      return;
    }
    for await (const page of fetchMessagePages(ctx.db, accountId, req.mailboxId, req.uids, opts)) {
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
