import type { FetchRequest__Output } from '@kimap/common/generated/mail/v1/FetchRequest';
import type { FetchResponse } from '@kimap/common/generated/mail/v1/FetchResponse';
import type { FetchedMessage } from '@kimap/common/generated/mail/v1/FetchedMessage';
import type { MailboxContext } from '../context.js';
import { storeFlags } from '../store/flags.js';
import { fetchColumnPages, fetchMessagePages } from '../store/messages.js';
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
          ? await ctx.metadata.pages(ctx.db, accountId, req.mailboxId, req.uids, { changedSince: req.changedSince, modseq: req.modseq })
          : undefined;
      const pages =
        cached ??
        fetchColumnPages(ctx.db, accountId, req.mailboxId, req.uids, {
          modseq: req.modseq,
          internalDate: req.internalDate,
          size: req.size,
          changedSince: req.changedSince,
        });
      for await (const columns of pages) {
        if (cancelled()) return;
        yield { columns };
      }
      return;
    }
    const pages = fetchMessagePages(ctx.db, accountId, req.mailboxId, req.uids, {
      raw: req.raw,
      header: req.header,
      structure: req.bodyStructure,
      envelope: req.envelope && !req.bodyStructure,
      changedSince: req.changedSince,
    });
    for await (const page of pages) {
      let batch: FetchedMessage[] = [];
      let bytes = 0;
      for (const m of page) {
        const size = (m.raw?.length ?? 0) + (m.header?.length ?? 0) + (m.structureJson?.length ?? 0) + (m.envelopeJson?.length ?? 0);
        if (batch.length > 0 && bytes + size > BATCH_BYTES) {
          if (cancelled()) return;
          yield { messages: batch };
          batch = [];
          bytes = 0;
        }
        batch.push({
          uid: m.uid,
          modseq: m.modseq,
          flags: m.flags,
          internalDateMs: m.internalDateMs,
          size: m.size,
          ...(m.raw ? { raw: m.raw } : {}),
          ...(m.header ? { header: m.header } : {}),
          ...(m.structureJson ? { bodyStructureJson: m.structureJson } : {}),
          ...(m.envelopeJson ? { envelopeJson: m.envelopeJson } : {}),
        });
        bytes += size;
      }
      if (cancelled()) return;
      if (batch.length) yield { messages: batch };
    }
  });
