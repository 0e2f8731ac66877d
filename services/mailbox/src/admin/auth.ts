// Who may call the AdminService: anyone who reaches its listener, which is
// therefore loopback unless a bearer token (ADMIN_TOKEN) guards it.
import { createHash, timingSafeEqual } from 'node:crypto';
import { grpc } from '@kimap/common';

/** A listener only this host (or this pod) reaches: loopback or a Unix socket. */
export function isLocalAddress(address: string): boolean {
  if (address.startsWith('unix:')) return true;
  const host = address.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses to serve the AdminService beyond loopback without a token. */
export function checkAdminListener(address: string, token: string | undefined): void {
  if (!token && !isLocalAddress(address)) {
    throw new Error(`ADMIN_GRPC_LISTEN=${address} is reachable from other hosts: set ADMIN_TOKEN, or listen on loopback`);
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Wraps a unary handler: without the token in `authorization: Bearer <token>`, UNAUTHENTICATED. */
export function requireToken<Req, Res>(token: string | undefined, handler: grpc.handleUnaryCall<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  if (!token) return handler;
  const expected = digest(`Bearer ${token}`);
  return (call, callback) => {
    const given = call.metadata.get('authorization')[0];
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      callback({ code: grpc.status.UNAUTHENTICATED, details: 'A valid admin token is required' });
      return;
    }
    handler(call, callback);
  };
}
