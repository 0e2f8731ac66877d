// The MailboxService: one handler per RPC, each in its own module under rpc/.
import { loadMailProto, multiplexService, type grpc, type RpcMetrics } from '@kimap/common';
import type { MailboxContext } from './context.js';
import { GetAcl, SetAcl } from './rpc/acl.js';
import { Authenticate } from './rpc/authenticate.js';
import { Append } from './rpc/append.js';
import { GetChanges } from './rpc/changes.js';
import { Fetch } from './rpc/fetch.js';
import { CreateMailbox, DeleteMailbox, GetStatus, GetStatuses, ListMailboxes, RenameMailbox } from './rpc/mailboxes.js';
import { Select } from './rpc/select.js';
import { SetSubscribed } from './rpc/subscriptions.js';
import { Copy, Expunge, Move, Store } from './rpc/messages.js';
import { Search } from './rpc/search.js';
import { CloseSession, EdgeHeartbeat, GetAccountState, OpenSession } from './rpc/sessions.js';
import { GetQuota } from './rpc/quota.js';
import { CheckRecipient, Deliver } from './rpc/delivery.js';

/**
 * Registers the service; returns what its shutdown must call first (see
 * multiplexService). `metrics` times the calls the Multiplex streams carry
 * (the server's interceptor times the others).
 */
export function addMailboxService(server: grpc.Server, ctx: MailboxContext, metrics?: RpcMetrics): { goaway(): void } {
  const proto = loadMailProto();
  const handlers: grpc.UntypedServiceImplementation = {
    Authenticate: Authenticate(ctx),
    ListMailboxes: ListMailboxes(ctx),
    CreateMailbox: CreateMailbox(ctx),
    GetStatus: GetStatus(ctx),
    GetStatuses: GetStatuses(ctx),
    Select: Select(ctx),
    Append: Append(ctx),
    Fetch: Fetch(ctx),
    GetChanges: GetChanges(ctx),
    DeleteMailbox: DeleteMailbox(ctx),
    RenameMailbox: RenameMailbox(ctx),
    SetSubscribed: SetSubscribed(ctx),
    Store: Store(ctx),
    Expunge: Expunge(ctx),
    Copy: Copy(ctx),
    Move: Move(ctx),
    Search: Search(ctx),
    GetAcl: GetAcl(ctx),
    SetAcl: SetAcl(ctx),
    GetAccountState: GetAccountState(ctx),
    OpenSession: OpenSession(ctx),
    CloseSession: CloseSession(ctx),
    EdgeHeartbeat: EdgeHeartbeat(ctx),
    GetQuota: GetQuota(ctx),
    CheckRecipient: CheckRecipient(ctx),
    Deliver: Deliver(ctx),
  };
  // The same handlers again, for calls carried by one long-lived stream.
  const mux = multiplexService(proto.mail.v1.MailboxService.service, handlers, metrics);
  handlers.Multiplex = mux.handler;
  server.addService(proto.mail.v1.MailboxService.service, handlers);
  return mux;
}
