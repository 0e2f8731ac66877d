import type { GetChangesRequest__Output } from '@kimap/common/generated/mail/v1/GetChangesRequest';
import type { ChangesResponse } from '@kimap/common/generated/mail/v1/ChangesResponse';
import type { MailboxContext } from '../context.js';
import { accessOf, requireRight, type AccessRow } from '../store/acl.js';
import { normalizeUsername } from '../store/accounts.js';
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
      // A session of a grantee: its rights are checked on every pull, so a revoked r ends it;
      // they are read by the same statement. A grantee that may change nothing has the
      // mailbox read-only: it claims nothing.
      const check = (row: AccessRow | undefined) => requireRight(accessOf(row, 'Mailbox no longer exists'), 'r', 'reading the mailbox');
      const grantee = { reader: principal, owner: normalizeUsername(req.owner), check };
      read = await readChanges(ctx.db, principal, req.mailboxId, req.sinceModseq, undefined, grantee, req.claimRecent);
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
