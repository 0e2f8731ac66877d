import type { SearchRequest__Output } from '@kimap/common/generated/mail/v1/SearchRequest';
import type { SearchResponse } from '@kimap/common/generated/mail/v1/SearchResponse';
import type { MailboxContext } from '../context.js';
import { mailboxAccessById, requireRight } from '../store/acl.js';
import { searchUids, validateSearchCriteria } from '../store/search.js';
import { accountOf, serverStream } from './handler.js';

export const Search = (ctx: MailboxContext) =>
  serverStream<SearchRequest__Output, SearchResponse>(ctx.log, 'Search', async function* (req, cancelled) {
    const principal = accountOf(req);
    const criteria = validateSearchCriteria(req.criteria);
    let accountId = principal;
    if (req.owner) {
      const access = await mailboxAccessById(ctx.db, principal, req.owner, req.mailboxId);
      requireRight(access, 'r', 'SEARCH');
      accountId = access.ownerId;
    }
    const opts = accountId === principal ? {} : { reader: principal };
    for await (const page of searchUids(ctx.db, accountId, req.mailboxId, criteria, opts)) {
      if (cancelled()) return;
      yield page;
    }
  });
