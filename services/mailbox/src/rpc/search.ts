import type { SearchRequest__Output } from '@kimap/common/generated/mail/v1/SearchRequest';
import type { SearchResponse } from '@kimap/common/generated/mail/v1/SearchResponse';
import type { MailboxContext } from '../context.js';
import { searchUids, validateSearchCriteria } from '../store/search.js';
import { accountOf, serverStream } from './handler.js';

export const Search = (ctx: MailboxContext) =>
  serverStream<SearchRequest__Output, SearchResponse>(ctx.log, 'Search', async function* (req, cancelled) {
    const accountId = accountOf(req);
    const criteria = validateSearchCriteria(req.criteria);
    for await (const page of searchUids(ctx.db, accountId, req.mailboxId, criteria)) {
      if (cancelled()) return;
      yield page;
    }
  });
