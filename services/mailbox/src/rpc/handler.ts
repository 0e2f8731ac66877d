// Adapters from async functions to @grpc/grpc-js handlers, and the one place
// where thrown errors become gRPC statuses (with the IMAP response code the
// edge should show in metadata).
import { grpc, IMAP_CODE_METADATA_KEY, RpcError, type Logger } from '@kimap/common';

export function toServiceError(err: unknown, log: Logger, method: string): Partial<grpc.ServiceError> {
  const metadata = new grpc.Metadata();
  if (err instanceof RpcError) {
    if (err.imapCode) metadata.set(IMAP_CODE_METADATA_KEY, err.imapCode);
    return { code: err.code, details: err.message, metadata };
  }
  log.error({ err, method }, 'rpc failed');
  metadata.set(IMAP_CODE_METADATA_KEY, 'SERVERBUG');
  return { code: grpc.status.INTERNAL, details: 'Internal error', metadata };
}

export function unary<Req, Res>(log: Logger, method: string, fn: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toServiceError(err, log, method) as grpc.ServiceError),
    );
  };
}

/** A server stream fed by an async generator, honouring back-pressure. */
export function serverStream<Req, Res>(
  log: Logger,
  method: string,
  fn: (req: Req, cancelled: () => boolean) => AsyncIterable<Res>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    let cancelled = false;
    call.on('cancelled', () => (cancelled = true));
    (async () => {
      for await (const item of fn(call.request, () => cancelled)) {
        if (cancelled) return;
        if (!call.write(item)) await new Promise<void>((resolve) => call.once('drain', resolve));
      }
      call.end();
    })().catch((err: unknown) => {
      if (!cancelled) call.emit('error', toServiceError(err, log, method));
    });
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
