// Loads the gRPC contracts at run time (MailboxService, AdminService); the
// generated types in ./generated describe exactly what this loader produces.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import { clearStaleSocket } from './unix-socket.js';
import type { ProtoGrpcType } from './generated/mailbox.js';
import type { ProtoGrpcType as AdminProtoGrpcType } from './generated/admin.js';
import type { MailboxServiceClient } from './generated/mail/v1/MailboxService.js';
import type { AdminServiceClient } from './generated/mail/v1/AdminService.js';

export { grpc };
export type { MailboxServiceClient, AdminServiceClient };
export type { MailboxServiceHandlers } from './generated/mail/v1/MailboxService.js';
export type { AdminServiceHandlers } from './generated/mail/v1/AdminService.js';

export const protoDir = (): string => process.env.PROTO_DIR ?? fileURLToPath(new URL('../../../proto/', import.meta.url));

/** Largest gRPC message: the APPEND limit plus headroom for the envelope. */
export const MAX_GRPC_MESSAGE = 80 * 1024 * 1024;

const loaded = new Map<string, grpc.GrpcObject>();

function loadProto(file: string): grpc.GrpcObject {
  let proto = loaded.get(file);
  if (!proto) {
    const def = protoLoader.loadSync(file, {
      includeDirs: [protoDir()],
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
      keepCase: false,
    });
    proto = grpc.loadPackageDefinition(def);
    loaded.set(file, proto);
  }
  return proto;
}

export function loadMailProto(): ProtoGrpcType {
  return loadProto('mail/v1/mailbox.proto') as unknown as ProtoGrpcType;
}

export function loadAdminProto(): AdminProtoGrpcType {
  return loadProto('mail/v1/admin.proto') as unknown as AdminProtoGrpcType;
}

/**
 * Address forms: "host:port", or "unix:/path/to.sock" (embedded default).
 */
export function createMailboxClient(address: string, opts: { ownConnection?: boolean } = {}): MailboxServiceClient {
  const proto = loadMailProto();
  return new proto.mail.v1.MailboxService(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_GRPC_MESSAGE,
    'grpc.max_send_message_length': MAX_GRPC_MESSAGE,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_permit_without_calls': 1,
    // gRPC's back-off between reconnection attempts grows to 120 s by
    // default: an edge would answer NO [UNAVAILABLE] for up to two minutes
    // after a mailbox pod it lost came back. One attempt a second at most.
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 1000,
    // Channels to one address share their connections unless told otherwise.
    ...(opts.ownConnection && { 'grpc.use_local_subchannel_pool': 1 }),
  });
}

/** A client of the AdminService (control panels, tests), sending `authorization: Bearer <token>` when given one. */
export function createAdminClient(address: string, token?: string): AdminServiceClient {
  const proto = loadAdminProto();
  const bearer: grpc.Interceptor = (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', `Bearer ${token}`);
        next(metadata, listener);
      },
    });
  return new proto.mail.v1.AdminService(address, grpc.credentials.createInsecure(), token ? { interceptors: [bearer] } : {});
}

export function createGrpcServer(opts: { interceptors?: grpc.ServerInterceptor[] } = {}): grpc.Server {
  return new grpc.Server({
    'grpc.max_receive_message_length': MAX_GRPC_MESSAGE,
    'grpc.max_send_message_length': MAX_GRPC_MESSAGE,
    'grpc.keepalive_permit_without_calls': 1,
    ...(opts.interceptors?.length && { interceptors: opts.interceptors }),
  });
}

/**
 * Binds server to address. A Unix socket left behind by a process that was
 * killed is removed first; one a live process listens on is refused (SocketInUseError).
 */
export async function bindServer(server: grpc.Server, address: string): Promise<number> {
  const socketPath = unixSocketPath(address);
  if (socketPath !== undefined) await clearStaleSocket(socketPath);
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/** The file of a "unix:path" or "unix:///abs/path" address; undefined for host:port. */
export function unixSocketPath(address: string): string | undefined {
  if (!address.startsWith('unix:')) return undefined;
  const rest = address.slice('unix:'.length);
  return rest.startsWith('//') ? rest.slice(2) : rest;
}

/** A gRPC error with a status code, as handlers return them. */
export class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    /** An IMAP response code the edge should use (e.g. TRYCREATE, OVERQUOTA). */
    readonly imapCode?: string,
  ) {
    super(message);
  }
}

export const IMAP_CODE_METADATA_KEY = 'imap-code';

/** Metadata for a call, with the headers given (a trace context). */
export function grpcMetadata(headers?: Record<string, string>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const key in headers) metadata.set(key, headers[key]!);
  return metadata;
}
