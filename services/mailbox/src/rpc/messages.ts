// Store, Expunge, Copy, Move.
import type { StoreRequest__Output } from '@kimap/common/generated/mail/v1/StoreRequest';
import type { StoreResponse } from '@kimap/common/generated/mail/v1/StoreResponse';
import type { ExpungeRequest__Output } from '@kimap/common/generated/mail/v1/ExpungeRequest';
import type { ExpungeResponse } from '@kimap/common/generated/mail/v1/ExpungeResponse';
import type { CopyRequest__Output } from '@kimap/common/generated/mail/v1/CopyRequest';
import type { CopyResponse } from '@kimap/common/generated/mail/v1/CopyResponse';
import { grpc, RpcError } from '@kimap/common';
import type { MailboxContext } from '../context.js';
import { ACL_RIGHTS, mailboxAccess, mailboxAccessById, requireRight } from '../store/acl.js';
import { copyMessages } from '../store/copy.js';
import { removeMessages } from '../store/expunge.js';
import { storeFlags, type StoreMode } from '../store/flags.js';
import { copyShared, permittedFlags, storeSharedFlags } from '../store/shared.js';
import { accountOf, serverStream, unary } from './handler.js';

/** Messages per stream message of a STORE's answer. */
const STORE_PAGE = 5000;

const MODES: Record<string, StoreMode> = { STORE_MODE_REPLACE: 'replace', STORE_MODE_ADD: 'add', STORE_MODE_REMOVE: 'remove' };

export const Store = (ctx: MailboxContext) =>
  serverStream<StoreRequest__Output, StoreResponse>(ctx.log, 'Store', async function* (req) {
    const principal = accountOf(req);
    const mode = MODES[req.mode];
    if (!mode) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'store mode is required', 'CLIENTBUG');
    let result;
    if (req.owner) {
      const access = await mailboxAccessById(ctx.db, principal, req.owner, req.mailboxId);
      requireRight(access, 'r', 'STORE');
      // Refused only when no flag of it may change; the others are left as they are (RFC 4314 4).
      const any = req.flags.length ? permittedFlags(req.flags, access.rights).length > 0 : /[swt]/.test(access.rights);
      if (!any) requireRight(access, req.flags.some((f) => f.toLowerCase() === '\\deleted') ? 't' : 'w', 'STORE');
      result = await storeSharedFlags(
        ctx.db,
        access.ownerId,
        req.mailboxId,
        principal,
        access.rights,
        req.uids,
        mode,
        req.flags,
        req.unchangedSince,
      );
    } else {
      result = await storeFlags(ctx.db, principal, req.mailboxId, req.uids, mode, req.flags, req.unchangedSince);
    }
    ctx.committed([result.event]);
    for (let i = 0; i < result.rows.length; i += STORE_PAGE) yield { messages: result.rows.slice(i, i + STORE_PAGE) };
  });

export const Expunge = (ctx: MailboxContext) =>
  unary<ExpungeRequest__Output, ExpungeResponse>(ctx.log, 'Expunge', async (req) => {
    let accountId = accountOf(req);
    if (req.owner) {
      const access = await mailboxAccessById(ctx.db, accountId, req.owner, req.mailboxId);
      requireRight(access, 'e', 'EXPUNGE');
      accountId = access.ownerId;
    }
    const { event, ...expunged } = await removeMessages(ctx.db, accountId, req.mailboxId, {
      deletedOnly: true,
      ...(req.uids.length ? { ranges: req.uids } : {}),
    });
    ctx.committed([event]);
    return expunged;
  });

const copyOrMove = (move: boolean) => (ctx: MailboxContext) =>
  unary<CopyRequest__Output, CopyResponse>(ctx.log, move ? 'Move' : 'Copy', async (req) => {
    const principal = accountOf(req);
    const result = await ctx.db.transaction(async (tx) => {
      if (!req.owner && !req.destinationOwner) return copyMessages(tx, principal, req.mailboxId, req.uids, req.destination, move);
      // A side is another account's mailbox: r there (MOVE: t and e too), i in the destination (RFC 4314 4, RFC 6851).
      const source = req.owner
        ? await mailboxAccessById(tx, principal, req.owner, req.mailboxId)
        : { ownerId: principal, mailboxId: req.mailboxId, rights: ACL_RIGHTS, own: true };
      requireRight(source, 'r', move ? 'MOVE' : 'COPY');
      if (move) for (const right of 'te') requireRight(source, right, 'MOVE');
      let dest = { accountId: principal, own: true, rights: ACL_RIGHTS };
      if (req.destinationOwner) {
        const access = await mailboxAccess(tx, principal, req.destinationOwner, req.destination);
        requireRight(access, 'i', move ? 'MOVE' : 'COPY');
        dest = { accountId: access.ownerId, own: false, rights: access.rights };
      }
      return copyShared(
        tx,
        principal,
        { accountId: source.ownerId, mailboxId: req.mailboxId, own: source.own, rights: source.rights },
        req.uids,
        { ...dest, name: req.destination },
        move,
      );
    });
    if (result.sourceUids.length) ctx.changed();
    return result;
  });

export const Copy = copyOrMove(false);
export const Move = copyOrMove(true);
