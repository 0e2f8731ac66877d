import type { GetChangesRequest__Output } from '@kimap/common/generated/mail/v1/GetChangesRequest';
import type { ChangesResponse } from '@kimap/common/generated/mail/v1/ChangesResponse';
import type { MailboxContext } from '../context.js';
import { mailboxAccessById, requireRight } from '../store/acl.js';
import { readChanges } from '../store/changes.js';
import { notFound } from '../store/errors.js';
import { accountOf, serverStream } from './handler.js';

/** Changed messages per stream message. */
const CHANGES_PAGE = 20_000;

export const GetChanges = (ctx: MailboxContext) =>
  serverStream<GetChangesRequest__Output, ChangesResponse>(ctx.log, 'GetChanges', async function* (req) {
    const principal = accountOf(req);
    let read;
    if (req.owner) {
      // A session of a grantee: its rights are checked on every pull, so a revoked r ends it.
      const access = await mailboxAccessById(ctx.db, principal, req.owner, req.mailboxId);
      requireRight(access, 'r', 'reading the mailbox');
      // A grantee that may change nothing has the mailbox read-only: it claims nothing.
      const claim = req.claimRecent && /[iestw]/.test(access.rights);
      read = await readChanges(ctx.db, access.ownerId, req.mailboxId, req.sinceModseq, undefined, principal, claim);
    } else {
      read = await readChanges(ctx.db, principal, req.mailboxId, req.sinceModseq, undefined, undefined, req.claimRecent);
    }
    if (!read) throw notFound('Mailbox no longer exists');
    const { status, changed, expunged } = read;
    // Usually one stream message; a long history is sent in pages.
    for (let i = 0; i === 0 || i < changed.length; i += CHANGES_PAGE) {
      yield i === 0 ? { status, changed: changed.slice(0, CHANGES_PAGE), expunged } : { changed: changed.slice(i, i + CHANGES_PAGE) };
    }
  });
