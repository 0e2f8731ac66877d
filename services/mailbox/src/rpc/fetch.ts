import type { FetchRequest__Output } from '@kimap/common/generated/mail/v1/FetchRequest';
import type { FetchResponse } from '@kimap/common/generated/mail/v1/FetchResponse';
import type { MailboxContext } from '../context.js';
import { fetchMessages, markSeen } from '../store/messages.js';
import { accountOf, serverStream } from './handler.js';

export const Fetch = (ctx: MailboxContext) =>
  serverStream<FetchRequest__Output, FetchResponse>(ctx.log, 'Fetch', async function* (req, cancelled) {
    const accountId = accountOf(req);
    if (req.markSeen && req.uids.length > 0) {
      const changed = await ctx.db.transaction((tx) => markSeen(tx, accountId, req.mailboxId, req.uids));
      if (changed) ctx.changed();
    }
    const rows = fetchMessages(ctx.db, accountId, req.mailboxId, req.uids, {
      raw: req.raw,
      header: req.header,
      structure: req.bodyStructure,
      envelope: req.envelope && !req.bodyStructure,
      changedSince: req.changedSince,
    });
    for await (const m of rows) {
      if (cancelled()) return;
      yield {
        uid: m.uid,
        modseq: m.modseq,
        flags: m.flags,
        internalDateMs: m.internalDate.getTime(),
        size: m.size,
        ...(m.raw ? { raw: m.raw } : {}),
        ...(m.header ? { header: m.header } : {}),
        ...(m.structureJson ? { bodyStructureJson: m.structureJson } : {}),
        ...(m.envelopeJson ? { envelopeJson: m.envelopeJson } : {}),
      };
    }
  });
