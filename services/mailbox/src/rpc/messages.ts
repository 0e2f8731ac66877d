// Store, Expunge, Copy, Move.
import type { StoreRequest__Output } from '@kimap/common/generated/mail/v1/StoreRequest';
import type { StoreResponse } from '@kimap/common/generated/mail/v1/StoreResponse';
import type { ExpungeRequest__Output } from '@kimap/common/generated/mail/v1/ExpungeRequest';
import type { ExpungeResponse } from '@kimap/common/generated/mail/v1/ExpungeResponse';
import type { CopyRequest__Output } from '@kimap/common/generated/mail/v1/CopyRequest';
import type { CopyResponse } from '@kimap/common/generated/mail/v1/CopyResponse';
import { grpc, RpcError } from '@kimap/common';
import type { MailboxContext } from '../context.js';
import { copyMessages } from '../store/copy.js';
import { removeMessages } from '../store/expunge.js';
import { storeFlags, type StoreMode } from '../store/flags.js';
import { accountOf, serverStream, unary } from './handler.js';

/** Messages per stream message of a STORE's answer. */
const STORE_PAGE = 5000;

const MODES: Record<string, StoreMode> = { STORE_MODE_REPLACE: 'replace', STORE_MODE_ADD: 'add', STORE_MODE_REMOVE: 'remove' };

export const Store = (ctx: MailboxContext) =>
  serverStream<StoreRequest__Output, StoreResponse>(ctx.log, 'Store', async function* (req) {
    const accountId = accountOf(req);
    const mode = MODES[req.mode];
    if (!mode) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'store mode is required', 'CLIENTBUG');
    const result = await storeFlags(ctx.db, accountId, req.mailboxId, req.uids, mode, req.flags, req.unchangedSince);
    ctx.committed([result.event]);
    for (let i = 0; i < result.rows.length; i += STORE_PAGE) yield { messages: result.rows.slice(i, i + STORE_PAGE) };
  });

export const Expunge = (ctx: MailboxContext) =>
  unary<ExpungeRequest__Output, ExpungeResponse>(ctx.log, 'Expunge', async (req) => {
    const accountId = accountOf(req);
    const { event, ...expunged } = await removeMessages(ctx.db, accountId, req.mailboxId, {
      deletedOnly: true,
      ...(req.uids.length ? { ranges: req.uids } : {}),
    });
    ctx.committed([event]);
    return expunged;
  });

const copyOrMove = (move: boolean) => (ctx: MailboxContext) =>
  unary<CopyRequest__Output, CopyResponse>(ctx.log, move ? 'Move' : 'Copy', async (req) => {
    const accountId = accountOf(req);
    const result = await ctx.db.transaction((tx) => copyMessages(tx, accountId, req.mailboxId, req.uids, req.destination, move));
    if (result.sourceUids.length) ctx.changed();
    return result;
  });

export const Copy = copyOrMove(false);
export const Move = copyOrMove(true);
