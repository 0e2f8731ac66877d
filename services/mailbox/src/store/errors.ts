import { grpc, RpcError } from '@kimap/common';

export const notFound = (what: string, imapCode = 'NONEXISTENT') => new RpcError(grpc.status.NOT_FOUND, what, imapCode);
export const alreadyExists = (what: string) => new RpcError(grpc.status.ALREADY_EXISTS, what, 'ALREADYEXISTS');
export const invalid = (what: string, imapCode = 'CANNOT') => new RpcError(grpc.status.INVALID_ARGUMENT, what, imapCode);
/** The request is valid but the state refuses it (a removal that would delete data without force). */
export const failedPrecondition = (what: string) => new RpcError(grpc.status.FAILED_PRECONDITION, what, 'CANNOT');
export const overQuota = (what = 'Quota exceeded') => new RpcError(grpc.status.RESOURCE_EXHAUSTED, what, 'OVERQUOTA');
/**
 * Wrong credentials; for the right password of a disabled account the IMAP code is
 * CONTACTADMIN, which the edge counts apart and answers as it answers wrong credentials.
 */
export const unauthenticated = (imapCode: 'AUTHENTICATIONFAILED' | 'CONTACTADMIN' = 'AUTHENTICATIONFAILED') =>
  new RpcError(grpc.status.UNAUTHENTICATED, 'Authentication failed', imapCode);
/** A login refused unchecked while its client's failures lock it (see LoginThrottle). */
export const throttled = () => new RpcError(grpc.status.RESOURCE_EXHAUSTED, 'Too many failed logins; try again later', 'UNAVAILABLE');
/** A session refused by a connection limit. */
export const tooManySessions = (what: string) => new RpcError(grpc.status.RESOURCE_EXHAUSTED, what, 'LIMIT');

/**
 * The SQLSTATEs the write functions of migrations 0006 and 0011 raise, as RPC errors;
 * anything else is rethrown as it is.
 */
export function fromWriteFunction(err: unknown, missingMailboxCode = 'NONEXISTENT'): never {
  const e = err as { code?: string; message?: string };
  switch (e?.code) {
    case 'KM001':
      throw notFound(e.message ?? 'Mailbox does not exist', missingMailboxCode);
    case 'KM002':
      throw overQuota(e.message);
    case 'KM003':
      throw new RpcError(grpc.status.RESOURCE_EXHAUSTED, e.message ?? 'The mailbox has run out of UIDs', 'LIMIT');
    default:
      throw err;
  }
}
