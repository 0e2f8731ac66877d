import { grpc, RpcError } from '@kimap/common';

export const notFound = (what: string, imapCode = 'NONEXISTENT') => new RpcError(grpc.status.NOT_FOUND, what, imapCode);
export const alreadyExists = (what: string) => new RpcError(grpc.status.ALREADY_EXISTS, what, 'ALREADYEXISTS');
export const invalid = (what: string, imapCode = 'CANNOT') => new RpcError(grpc.status.INVALID_ARGUMENT, what, imapCode);
export const overQuota = () => new RpcError(grpc.status.RESOURCE_EXHAUSTED, 'Quota exceeded', 'OVERQUOTA');
export const unauthenticated = () => new RpcError(grpc.status.UNAUTHENTICATED, 'Authentication failed', 'AUTHENTICATIONFAILED');
