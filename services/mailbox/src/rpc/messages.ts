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

const MODES: Record<string, StoreMode> = { STORE_MODE_REPLACE: 'replace', STORE_MODE_ADD: 'add', STORE_MODE_REMOVE: 'remove' };

export const Store = (ctx: MailboxContext) =>
  serverStream<StoreRequest__Output, StoreResponse>(ctx.log, 'Store', async function* (req) {
    const accountId = accountOf(req);
    const mode = MODES[req.mode];
    if (!mode) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'store mode is required', 'CLIENTBUG');
    const rows = await ctx.db.transaction((tx) => storeFlags(tx, accountId, req.mailboxId, req.uids, mode, req.flags, req.unchangedSince));
    ctx.changed();
    for (const r of rows) yield r;
  });

export const Expunge = (ctx: MailboxContext) =>
  unary<ExpungeRequest__Output, ExpungeResponse>(ctx.log, 'Expunge', async (req) => {
    const accountId = accountOf(req);
    const result = await ctx.db.transaction((tx) =>
      removeMessages(tx, accountId, req.mailboxId, { deletedOnly: true, ...(req.uids.length ? { ranges: req.uids } : {}) }),
    );
    if (result.uids.length) ctx.changed();
    return result;
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
