// Login security after the password: whether an account may still be used,
// and the sessions of each account on live edges (connection limits).
import { grpc, RpcError } from '@kimap/common';
import type { AccountState } from '@kimap/common/generated/mail/v1/AccountState';
import type { CloseSessionRequest__Output } from '@kimap/common/generated/mail/v1/CloseSessionRequest';
import type { CloseSessionResponse } from '@kimap/common/generated/mail/v1/CloseSessionResponse';
import type { EdgeHeartbeatRequest__Output } from '@kimap/common/generated/mail/v1/EdgeHeartbeatRequest';
import type { EdgeHeartbeatResponse } from '@kimap/common/generated/mail/v1/EdgeHeartbeatResponse';
import type { GetAccountStateRequest__Output } from '@kimap/common/generated/mail/v1/GetAccountStateRequest';
import type { OpenSessionRequest__Output } from '@kimap/common/generated/mail/v1/OpenSessionRequest';
import type { OpenSessionResponse } from '@kimap/common/generated/mail/v1/OpenSessionResponse';
import type { MailboxContext } from '../context.js';
import { accountActive } from '../store/accounts.js';
import { tooManySessions } from '../store/errors.js';
import { closeSessions, edgeHeartbeat, openSession } from '../store/sessions.js';
import { accountOf, unary } from './handler.js';

function edgeOf(req: { edgeId: string }): string {
  if (!req.edgeId) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'edge_id is required', 'CLIENTBUG');
  return req.edgeId;
}

export const GetAccountState = (ctx: MailboxContext) =>
  unary<GetAccountStateRequest__Output, AccountState>(ctx.log, 'GetAccountState', async (req) => ({
    active: await accountActive(ctx.db, accountOf(req)),
  }));

export const OpenSession = (ctx: MailboxContext) =>
  unary<OpenSessionRequest__Output, OpenSessionResponse>(ctx.log, 'OpenSession', async (req) => {
    const verdict = await openSession(ctx.db, {
      accountId: accountOf(req),
      edgeId: edgeOf(req),
      sessionId: req.sessionId,
      address: ctx.logins.addressOf(req.remoteIp),
      maxPerAccount: req.maxPerAccount,
      maxPerAddress: req.maxPerAddress,
      edgeTtlMs: req.edgeTtlMs || 60_000,
    });
    if (verdict === 'ok') return {};
    ctx.sessionLimitRefusals?.inc({ limit: verdict });
    throw tooManySessions(
      verdict === 'account'
        ? `Too many connections for this account (${req.maxPerAccount})`
        : `Too many connections for this account from this address (${req.maxPerAddress})`,
    );
  });

export const CloseSession = (ctx: MailboxContext) =>
  unary<CloseSessionRequest__Output, CloseSessionResponse>(ctx.log, 'CloseSession', async (req) => {
    const s = req.session;
    if (s) await closeSessions(ctx.db, edgeOf(req), [{ accountId: s.accountId, sessionId: s.sessionId }]);
    return {};
  });

export const EdgeHeartbeat = (ctx: MailboxContext) =>
  unary<EdgeHeartbeatRequest__Output, EdgeHeartbeatResponse>(ctx.log, 'EdgeHeartbeat', async (req) => {
    const edgeId = edgeOf(req);
    await closeSessions(ctx.db, edgeId, req.closed);
    await edgeHeartbeat(ctx.db, edgeId, req.ttlMs);
    return {};
  });
