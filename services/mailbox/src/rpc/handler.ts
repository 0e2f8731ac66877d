// Adapters from async functions to @grpc/grpc-js handlers, and the one place
// where thrown errors become gRPC statuses (with the IMAP response code the
// edge should show in metadata), and where each call gets its server span
// while tracing (a child of the trace context its metadata carries).
import {
  databaseUnavailable,
  grpc,
  IMAP_CODE_METADATA_KEY,
  loadAdminProto,
  RpcError,
  startServerSpan,
  tracing,
  type Logger,
} from '@kimap/common';

export function toServiceError(err: unknown, log: Logger, method: string): Partial<grpc.ServiceError> {
  const metadata = new grpc.Metadata();
  if (err instanceof RpcError) {
    if (err.imapCode) metadata.set(IMAP_CODE_METADATA_KEY, err.imapCode);
    return { code: err.code, details: err.message, metadata };
  }
  // PostgreSQL away (restarting, failing over): the client may try again, IMAP says UNAVAILABLE.
  if (databaseUnavailable(err)) {
    log.warn({ err, method }, 'database unavailable');
    metadata.set(IMAP_CODE_METADATA_KEY, 'UNAVAILABLE');
    return { code: grpc.status.UNAVAILABLE, details: 'The mailbox database is unavailable; try again later', metadata };
  }
  log.error({ err, method }, 'rpc failed');
  metadata.set(IMAP_CODE_METADATA_KEY, 'SERVERBUG');
  return { code: grpc.status.INTERNAL, details: 'Internal error', metadata };
}

/** The service a method belongs to, as spans name it: the AdminService's, or else the MailboxService's. */
function serviceOf(method: string): string {
  return Object.hasOwn(loadAdminProto().mail.v1.AdminService.service, method) ? 'mail.v1.AdminService' : 'mail.v1.MailboxService';
}

export function unary<Req, Res>(log: Logger, method: string, fn: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  const service = serviceOf(method);
  return (call, callback) => {
    const span = tracing.on ? startServerSpan(service, method, call.metadata) : undefined;
    const answer = () =>
      fn(call.request).then(
        (res) => {
          span?.end(grpc.status.OK);
          callback(null, res);
        },
        (err: unknown) => {
          const e = toServiceError(err, log, method);
          span?.end(e.code ?? grpc.status.UNKNOWN);
          callback(e);
        },
      );
    void (span ? span.run(answer) : answer());
  };
}

/** A server stream fed by an async generator, honouring back-pressure. */
export function serverStream<Req, Res>(
  log: Logger,
  method: string,
  fn: (req: Req, cancelled: () => boolean) => AsyncIterable<Res>,
): grpc.handleServerStreamingCall<Req, Res> {
  const service = serviceOf(method);
  return (call) => {
    const span = tracing.on ? startServerSpan(service, method, call.metadata) : undefined;
    let cancelled = false;
    call.on('cancelled', () => (cancelled = true));
    const answer = () =>
      (async () => {
        for await (const item of fn(call.request, () => cancelled)) {
          if (cancelled) return span?.end(grpc.status.CANCELLED);
          if (!call.write(item)) await new Promise<void>((resolve) => call.once('drain', resolve));
        }
        span?.end(cancelled ? grpc.status.CANCELLED : grpc.status.OK);
        call.end();
      })().catch((err: unknown) => {
        const e = toServiceError(err, log, method);
        span?.end(cancelled ? grpc.status.CANCELLED : (e.code ?? grpc.status.UNKNOWN));
        if (!cancelled) call.emit('error', e);
      });
    void (span ? span.run(answer) : answer());
  };
}

/** The account on every request: missing is a client bug, never a default. */
export function accountOf(req: { account?: { accountId: number } | null }): number {
  const id = req.account?.accountId;
  if (!id) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'account is required', 'CLIENTBUG');
  return id;
}

export function unimplemented(method: string): grpc.UntypedHandleCall {
  return ((_call: unknown, callback?: (err: Partial<grpc.ServiceError>) => void) => {
    const err = { code: grpc.status.UNIMPLEMENTED, details: `${method} is not implemented yet` };
    if (typeof callback === 'function') callback(err);
    else (_call as { emit(ev: string, e: unknown): void }).emit('error', err);
  }) as grpc.UntypedHandleCall;
}
