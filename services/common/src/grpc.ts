// Loads the MailboxService contract at run time; the generated types in
// ./generated describe exactly what this loader produces.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { ProtoGrpcType } from './generated/mailbox.js';
import type { MailboxServiceClient } from './generated/mail/v1/MailboxService.js';

export { grpc };
export type { MailboxServiceClient };
export type { MailboxServiceHandlers } from './generated/mail/v1/MailboxService.js';

export const protoDir = (): string => process.env.PROTO_DIR ?? fileURLToPath(new URL('../../../proto/', import.meta.url));

/** Largest gRPC message: the APPEND limit plus headroom for the envelope. */
export const MAX_GRPC_MESSAGE = 80 * 1024 * 1024;

let cached: ProtoGrpcType | undefined;

export function loadMailProto(): ProtoGrpcType {
  if (cached) return cached;
  const def = protoLoader.loadSync('mail/v1/mailbox.proto', {
    includeDirs: [protoDir()],
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
    keepCase: false,
  });
  cached = grpc.loadPackageDefinition(def) as unknown as ProtoGrpcType;
  return cached;
}

/**
 * Address forms: "host:port", or "unix:/path/to.sock" (embedded default).
 */
export function createMailboxClient(address: string): MailboxServiceClient {
  const proto = loadMailProto();
  return new proto.mail.v1.MailboxService(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_GRPC_MESSAGE,
    'grpc.max_send_message_length': MAX_GRPC_MESSAGE,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_permit_without_calls': 1,
  });
}

export function createGrpcServer(): grpc.Server {
  return new grpc.Server({
    'grpc.max_receive_message_length': MAX_GRPC_MESSAGE,
    'grpc.max_send_message_length': MAX_GRPC_MESSAGE,
    'grpc.keepalive_permit_without_calls': 1,
  });
}

export function bindServer(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
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
