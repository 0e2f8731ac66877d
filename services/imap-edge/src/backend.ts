// The edge's view of the mailbox service. The real implementation is the gRPC
// client below; protocol tests may use a fake.
import {
  createMailboxClient,
  grpc,
  grpcMetadata,
  IMAP_CODE_METADATA_KEY,
  loadMailProto,
  MuxClient,
  rpcCode,
  traceClientCall,
  tracing,
  type MailboxServiceClient,
  type RpcMetrics,
  type TraceHeaders,
} from '@kimap/common';
import type { AccountRef } from '@kimap/common/generated/mail/v1/AccountRef';
import type { MailboxInfo__Output } from '@kimap/common/generated/mail/v1/MailboxInfo';
import type { MailboxStatus__Output } from '@kimap/common/generated/mail/v1/MailboxStatus';
import type { FetchRequest } from '@kimap/common/generated/mail/v1/FetchRequest';
import type { FetchedMessage__Output } from '@kimap/common/generated/mail/v1/FetchedMessage';
import type { FetchResponse__Output } from '@kimap/common/generated/mail/v1/FetchResponse';
import type { MessageColumns__Output } from '@kimap/common/generated/mail/v1/MessageColumns';
import type { AppendResponse__Output } from '@kimap/common/generated/mail/v1/AppendResponse';
import type { ChangedMessage__Output } from '@kimap/common/generated/mail/v1/ChangedMessage';
import type { StoredFlags__Output } from '@kimap/common/generated/mail/v1/StoredFlags';
import type { CopyResponse__Output } from '@kimap/common/generated/mail/v1/CopyResponse';
import type { ExpungeResponse__Output } from '@kimap/common/generated/mail/v1/ExpungeResponse';
import type { AclResponse__Output } from '@kimap/common/generated/mail/v1/AclResponse';
import type { SearchKey__Output } from '@kimap/common/generated/mail/v1/SearchKey';
import type { GetQuotaResponse__Output } from '@kimap/common/generated/mail/v1/GetQuotaResponse';
import type { GetStatusesResponse__Output } from '@kimap/common/generated/mail/v1/GetStatusesResponse';
import type { Envelope, MessageStructure } from '@kimap/common/mime/index';
import { UidList } from './uid-list.js';

export type MailboxInfo = MailboxInfo__Output;
export type MailboxStatus = MailboxStatus__Output;
/**
 * A message of a FETCH: FetchedMessage as the service sends it, with the
 * envelope and the structure parsed from their JSON once, on arrival (the
 * JSON is not kept). Present only when asked for; the structure holds the
 * envelope.
 */
export interface FetchedMessage extends Omit<FetchedMessage__Output, 'envelopeJson' | 'bodyStructureJson'> {
  envelope?: Envelope;
  bodyStructure?: MessageStructure;
}
export type FetchQuery = Omit<FetchRequest, 'account'>;
/**
 * A page of a FETCH: messages, or (for a query with `columns`, when the
 * service answers so) the same as columns. A returned promise holds the next page back.
 */
export type FetchBatchHandler = (messages: FetchedMessage[], columns?: MessageColumns__Output) => void | Promise<void>;

/**
 * A mailbox as the mailbox service addresses it: the principal's own (`owner`
 * '') or another account's of the same tenant, by that account's address and
 * its own name of the mailbox, reached through an ACL grant.
 */
export interface MailboxTarget {
  readonly owner: string;
  readonly name: string;
}

/** A mailbox's ACL as GetAcl answers it: the principal's rights, and with `entries` every grant. */
export type Acl = AclResponse__Output;
export type AclChange = 'replace' | 'add' | 'remove' | 'delete';

export interface Principal {
  account: { accountId: number; tenantId: number };
  username: string;
}

export interface SelectResult {
  status: MailboxStatus;
  uids: UidList;
}

export interface Changes {
  status: MailboxStatus;
  changed: ChangedMessage__Output[];
  expunged: number[];
}

export interface AppendInput {
  /** The owner of the mailbox (MailboxTarget.owner): '' for the principal's own. */
  owner: string;
  mailbox: string;
  items: Array<{ flags: string[]; internalDateMs: number; message: Buffer }>;
  /** Into the mailbox a read-write IMAP4rev1 session has selected: claims the unclaimed messages as \Recent (claimedFirst/Last). */
  claimRecent?: boolean;
}

export type StoredFlags = StoredFlags__Output;
export type CopyResult = CopyResponse__Output;
export type ExpungeResult = ExpungeResponse__Output;
export type UidRanges = Array<{ first: number; last: number }>;
/** An account's quota and its tenant's total, when it has one (GetQuotaResponse). */
export type QuotaInfo = GetQuotaResponse__Output;
/** A search program: SearchKey in the proto (see commands/search-criteria.ts). */
export type SearchCriteria = SearchKey__Output;

/** A mailbox a session selected: its id and its owner (MailboxTarget.owner). */
export interface MailboxRef {
  readonly owner: string;
  readonly mailboxId: number;
}

export interface StoreInput {
  owner: string;
  mailboxId: number;
  uids: UidRanges;
  mode: 'replace' | 'add' | 'remove';
  flags: string[];
  unchangedSince?: number;
}

export interface MailboxList {
  mailboxes: MailboxInfo[];
  /** Subscribed names with no mailbox. */
  orphanSubscriptions: string[];
  /** Other accounts' mailboxes shared with the principal (l right), with `owner` and `rights`. */
  shared: MailboxInfo[];
}

/** Registers a session for the connection limits (see SessionRegistry). */
export interface SessionOpening {
  edgeId: string;
  sessionId: string;
  remoteIp: string;
  /** 0: no limit. */
  maxPerAccount: number;
  /** 0: no limit. */
  maxPerAddress: number;
  edgeTtlMs: number;
}

export interface SessionKey {
  accountId: number;
  sessionId: string;
}

export interface MailboxBackend {
  /**
   * undefined: wrong credentials. Throws LoginThrottledError while the client's failures lock it out,
   * AccountDisabledError for the right password of a disabled account (answered as wrong credentials).
   */
  authenticate(username: string, password: string, remoteIp: string): Promise<Principal | undefined>;
  /** Whether the account may still be used (exists, not disabled). */
  accountActive(p: Principal): Promise<boolean>;
  /** Throws a BackendError with IMAP code LIMIT when a connection limit refuses the session. */
  openSession(p: Principal, opening: SessionOpening): Promise<void>;
  closeSession(edgeId: string, session: SessionKey): Promise<void>;
  /** The edge is alive for ttlMs more (0: stopping); `closed`: sessions whose closeSession failed. */
  edgeHeartbeat(edgeId: string, ttlMs: number, closed: SessionKey[]): Promise<void>;
  listMailboxes(p: Principal): Promise<MailboxList>;
  deleteMailbox(p: Principal, target: MailboxTarget): Promise<void>;
  /** Renames within the owner's account: `to` is the owner's name of the new mailbox. */
  renameMailbox(p: Principal, from: MailboxTarget, to: string): Promise<void>;
  /** Another account's mailbox (target.owner) needs the l right on it; the subscription is kept under its shared name. */
  setSubscribed(p: Principal, target: MailboxTarget, subscribed: boolean): Promise<void>;
  store(p: Principal, input: StoreInput): Promise<StoredFlags[]>;
  /** uids empty: every \Deleted message. */
  expunge(p: Principal, mb: MailboxRef, uids: UidRanges): Promise<ExpungeResult>;
  copy(p: Principal, mb: MailboxRef, uids: UidRanges, destination: MailboxTarget, move: boolean): Promise<CopyResult>;
  /** UIDs matching a search program, ascending, and the highest MODSEQ among them. */
  search(p: Principal, mb: MailboxRef, criteria: SearchCriteria): Promise<{ uids: number[]; highestModseq: number }>;
  createMailbox(p: Principal, target: MailboxTarget, specialUse?: string): Promise<MailboxInfo>;
  /** deletedSize: also the size of the \Deleted messages (STATUS DELETED-STORAGE). */
  status(p: Principal, target: MailboxTarget, opts?: { deletedSize?: boolean; recent?: boolean }): Promise<MailboxStatus>;
  /** The status of every mailbox of the principal's own account (LIST-STATUS), in one call. */
  statuses(p: Principal, opts?: { deletedSize?: boolean; recent?: boolean }): Promise<MailboxStatus[]>;
  /** The principal's quota (RFC 9208); with a mailbox of its own, NONEXISTENT when it does not exist. */
  quota(p: Principal, mailbox?: string): Promise<QuotaInfo>;
  /**
   * claimRecent: a read-write IMAP4rev1 SELECT, which claims the unclaimed messages as \Recent (status.claimedFirst/Last);
   * firstUnseen: an IMAP4rev1 SELECT or EXAMINE, which also wants the first UID without \Seen (status.firstUnseenUid).
   */
  select(p: Principal, target: MailboxTarget, opts?: { claimRecent?: boolean; firstUnseen?: boolean }): Promise<SelectResult>;
  append(p: Principal, input: AppendInput): Promise<AppendResponse__Output>;
  /** Messages in ascending UID order, a batch at a time; a returned promise holds the next batch back. */
  fetch(p: Principal, query: FetchQuery, onBatch: FetchBatchHandler): Promise<void>;
  /** claimRecent: as select's, for a session that has the mailbox selected. */
  changes(p: Principal, mb: MailboxRef, sinceModseq: number, opts?: { claimRecent?: boolean }): Promise<Changes>;
  /** The principal's rights on a mailbox and, with `entries` (the a right needed), its whole ACL. */
  getAcl(p: Principal, target: MailboxTarget, entries: boolean): Promise<Acl>;
  /** SETACL / DELETEACL; answers the identifier's rights after the change. */
  setAcl(p: Principal, target: MailboxTarget, identifier: string, change: AclChange, rights: string): Promise<string>;
  close(): void;
}

/** A failure the mailbox service reported, with the IMAP response code to show. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly code: grpc.status,
    readonly imapCode: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Starts a call without the stack trace grpc-js captures for every call (to
 * name the caller in its errors): about 5 µs a call on this machine, and the
 * edge's errors name the command instead.
 */
function withoutStack<T>(start: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return start();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function toBackendError(err: unknown): Error {
  const e = err as Partial<grpc.ServiceError>;
  if (typeof e.code !== 'number') return err as Error;
  const imap = e.metadata?.get(IMAP_CODE_METADATA_KEY)[0];
  const imapCode =
    typeof imap === 'string'
      ? imap
      : e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED
        ? 'UNAVAILABLE'
        : undefined;
  return new BackendError(e.details || e.message || 'mailbox service error', e.code, imapCode);
}

/** A login refused unchecked: its client failed too often (IMAP UNAVAILABLE). */
export class LoginThrottledError extends BackendError {}

/** The right password of a disabled account: the client is told what wrong credentials get, the metrics are not. */
export class AccountDisabledError extends BackendError {}

type Unary = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;
type Streaming = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

/** A message as FETCH uses it: its envelope and structure parsed, once. */
function parsed(m: FetchedMessage__Output): FetchedMessage {
  if (!m.envelopeJson && !m.bodyStructureJson) return m;
  const { envelopeJson, bodyStructureJson, ...rest } = m;
  const out: FetchedMessage = rest;
  if (envelopeJson) out.envelope = JSON.parse(envelopeJson) as Envelope;
  if (bodyStructureJson) out.bodyStructure = JSON.parse(bodyStructureJson) as MessageStructure;
  return out;
}

const MAILBOX_SERVICE = 'mail.v1.MailboxService';

/** An APPEND bigger than this goes as a call of its own rather than over the shared stream. */
const MUX_MAX_APPEND_BYTES = 256 * 1024;

export class GrpcBackend implements MailboxBackend {
  private readonly client: MailboxServiceClient;
  /** Calls over one long-lived stream (rpc Multiplex); undefined: a gRPC call each. */
  private readonly mux?: MuxClient;

  /** For the edge's heartbeats only (see edgeHeartbeat). */
  private heartbeatClient?: MailboxServiceClient;

  constructor(
    private readonly address: string,
    private readonly deadlineMs = 30_000,
    multiplex = true,
    /** Times every call (kimap_grpc_client_duration_seconds). */
    private readonly metrics?: RpcMetrics,
  ) {
    this.client = createMailboxClient(address);
    if (multiplex) {
      const service = loadMailProto().mail.v1.MailboxService.service;
      this.mux = new MuxClient(
        () => withoutStack(() => this.client.Multiplex()),
        service,
        (err) => toBackendError(err),
        metrics,
      );
    }
  }

  private observe(method: string, started: number, err: unknown): void {
    this.metrics?.observe(method, err ? rpcCode(err) : grpc.status.OK, (performance.now() - started) / 1000);
  }

  /**
   * Whether a call goes over the shared stream: not when the service does not
   * offer it, nor for what can be big in one message (message bodies, big
   * APPENDs), which would hold the other calls up behind it.
   */
  private muxed(method: string, req: unknown): MuxClient | undefined {
    if (!this.mux || this.mux.unsupported) return undefined;
    if (method === 'Fetch' && (req as FetchQuery).raw) return undefined;
    if (method === 'Append') {
      let bytes = 0;
      for (const i of (req as AppendInput).items) bytes += i.message.length;
      if (bytes > MUX_MAX_APPEND_BYTES) return undefined;
    }
    return this.mux;
  }

  private opts(): grpc.CallOptions {
    return { deadline: Date.now() + this.deadlineMs };
  }

  /** While tracing, each call has a client span, and its context goes along (metadata, or the Multiplex frame). */
  private unary<Res>(method: string, req: unknown): Promise<Res> {
    const mux = this.muxed(method, req);
    if (!tracing.on) return this.unaryCall(mux, method, req);
    return traceClientCall(MAILBOX_SERVICE, method, mux !== undefined, (headers) => this.unaryCall(mux, method, req, headers));
  }

  private unaryCall<Res>(mux: MuxClient | undefined, method: string, req: unknown, headers?: TraceHeaders): Promise<Res> {
    if (mux) return mux.unary<Res>(method, req, this.deadlineMs, headers);
    const fn = (this.client as unknown as Record<string, Unary>)[method]!;
    const started = this.metrics ? performance.now() : 0;
    return new Promise((resolve, reject) => {
      withoutStack(() =>
        fn.call(this.client, req, grpcMetadata(headers), this.opts(), (err, res) => {
          this.observe(method, started, err);
          if (err) reject(toBackendError(err));
          else resolve(res as Res);
        }),
      );
    });
  }

  /**
   * Consumes a server stream item by item. A handler that returns a promise
   * pauses the stream until it settles; a handler that throws cancels the call.
   */
  private stream<Res>(method: string, req: unknown, onItem: (item: Res) => void | Promise<void>): Promise<void> {
    const mux = this.muxed(method, req);
    if (!tracing.on) return this.streamCall(mux, method, req, onItem);
    return traceClientCall(MAILBOX_SERVICE, method, mux !== undefined, (headers) => this.streamCall(mux, method, req, onItem, headers));
  }

  private streamCall<Res>(
    mux: MuxClient | undefined,
    method: string,
    req: unknown,
    onItem: (item: Res) => void | Promise<void>,
    headers?: TraceHeaders,
  ): Promise<void> {
    if (mux) return mux.stream<Res>(method, req, this.deadlineMs * 10, onItem, headers);
    const fn = (this.client as unknown as Record<string, Streaming>)[method]!;
    const started = this.metrics ? performance.now() : 0;
    const call = withoutStack(() => fn.call(this.client, req, grpcMetadata(headers), { deadline: Date.now() + this.deadlineMs * 10 }));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let pending: Promise<void> | undefined;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        // A failure of the caller's own handler cancels the call.
        this.observe(method, started, err instanceof BackendError ? err : { code: grpc.status.CANCELLED });
        call.cancel();
        reject(err);
      };
      call.on('data', (item: Res) => {
        if (settled) return;
        let r: void | Promise<void>;
        try {
          r = onItem(item);
        } catch (err) {
          fail(err);
          return;
        }
        if (r) {
          call.pause();
          pending = r.then(
            () => {
              pending = undefined;
              call.resume();
            },
            (err: unknown) => fail(err),
          );
        }
      });
      call.on('error', (err) => fail(toBackendError(err)));
      call.on('end', () => {
        void (pending ?? Promise.resolve()).then(() => {
          if (settled) return;
          settled = true;
          this.observe(method, started, null);
          resolve();
        });
      });
    });
  }

  async authenticate(username: string, password: string, remoteIp: string): Promise<Principal | undefined> {
    try {
      const res = await this.unary<{ account: AccountRef & { accountId: number; tenantId: number }; username: string }>('Authenticate', {
        username,
        password,
        remoteIp,
      });
      return { account: { accountId: res.account.accountId, tenantId: res.account.tenantId }, username: res.username };
    } catch (err) {
      if (err instanceof BackendError && err.code === grpc.status.UNAUTHENTICATED) {
        if (err.imapCode === 'CONTACTADMIN') throw new AccountDisabledError(err.message, err.code, 'AUTHENTICATIONFAILED');
        return undefined;
      }
      if (err instanceof BackendError && err.code === grpc.status.RESOURCE_EXHAUSTED) {
        throw new LoginThrottledError(err.message, err.code, err.imapCode ?? 'UNAVAILABLE');
      }
      throw err;
    }
  }

  async accountActive(p: Principal): Promise<boolean> {
    const res = await this.unary<{ active: boolean }>('GetAccountState', { account: p.account });
    return res.active;
  }

  async openSession(p: Principal, opening: SessionOpening): Promise<void> {
    await this.unary('OpenSession', { account: p.account, ...opening });
  }

  async closeSession(edgeId: string, session: SessionKey): Promise<void> {
    await this.unary('CloseSession', { edgeId, session });
  }

  /**
   * On a connection of its own: a heartbeat sent while the service is away
   * would otherwise put the shared channel into reconnection backoff, and the
   * sessions' calls would keep failing for a while after the service is back.
   */
  async edgeHeartbeat(edgeId: string, ttlMs: number, closed: SessionKey[]): Promise<void> {
    this.heartbeatClient ??= createMailboxClient(this.address, { ownConnection: true });
    const client = this.heartbeatClient;
    const started = this.metrics ? performance.now() : 0;
    await new Promise<void>((resolve, reject) => {
      withoutStack(() =>
        client.EdgeHeartbeat({ edgeId, ttlMs, closed }, new grpc.Metadata(), this.opts(), (err) => {
          this.observe('EdgeHeartbeat', started, err);
          if (err) reject(toBackendError(err));
          else resolve();
        }),
      );
    });
  }

  listMailboxes(p: Principal): Promise<MailboxList> {
    return this.unary('ListMailboxes', { account: p.account });
  }

  async deleteMailbox(p: Principal, target: MailboxTarget): Promise<void> {
    await this.unary('DeleteMailbox', { account: p.account, owner: target.owner, name: target.name });
  }

  async renameMailbox(p: Principal, from: MailboxTarget, toName: string): Promise<void> {
    await this.unary('RenameMailbox', { account: p.account, owner: from.owner, fromName: from.name, toName });
  }

  async setSubscribed(p: Principal, target: MailboxTarget, subscribed: boolean): Promise<void> {
    await this.unary('SetSubscribed', { account: p.account, owner: target.owner, name: target.name, subscribed });
  }

  async store(p: Principal, input: StoreInput): Promise<StoredFlags[]> {
    const out: StoredFlags[] = [];
    const mode = { replace: 'STORE_MODE_REPLACE', add: 'STORE_MODE_ADD', remove: 'STORE_MODE_REMOVE' }[input.mode];
    await this.stream<{ messages: StoredFlags[] }>(
      'Store',
      { account: p.account, ...input, mode, unchangedSince: input.unchangedSince ?? 0 },
      (page) => {
        for (const r of page.messages) out.push(r);
      },
    );
    return out;
  }

  expunge(p: Principal, mb: MailboxRef, uids: UidRanges): Promise<ExpungeResult> {
    return this.unary('Expunge', { account: p.account, owner: mb.owner, mailboxId: mb.mailboxId, uids });
  }

  copy(p: Principal, mb: MailboxRef, uids: UidRanges, destination: MailboxTarget, move: boolean): Promise<CopyResult> {
    return this.unary(move ? 'Move' : 'Copy', {
      account: p.account,
      owner: mb.owner,
      mailboxId: mb.mailboxId,
      uids,
      destination: destination.name,
      destinationOwner: destination.owner,
    });
  }

  async search(p: Principal, mb: MailboxRef, criteria: SearchCriteria): Promise<{ uids: number[]; highestModseq: number }> {
    const uids: number[] = [];
    let highestModseq = 0;
    const req = { account: p.account, owner: mb.owner, mailboxId: mb.mailboxId, criteria };
    await this.stream<{ uids: number[]; highestmodseq: number }>('Search', req, (page) => {
      for (const u of page.uids) uids.push(u);
      highestModseq = Math.max(highestModseq, page.highestmodseq);
    });
    return { uids, highestModseq };
  }

  createMailbox(p: Principal, target: MailboxTarget, specialUse = ''): Promise<MailboxInfo> {
    return this.unary('CreateMailbox', { account: p.account, owner: target.owner, name: target.name, specialUse });
  }

  status(p: Principal, target: MailboxTarget, opts: { deletedSize?: boolean; recent?: boolean } = {}): Promise<MailboxStatus> {
    return this.unary('GetStatus', {
      account: p.account,
      owner: target.owner,
      name: target.name,
      deletedSize: opts.deletedSize ?? false,
      recent: opts.recent ?? false,
    });
  }

  async statuses(p: Principal, opts: { deletedSize?: boolean; recent?: boolean } = {}): Promise<MailboxStatus[]> {
    const res = await this.unary<GetStatusesResponse__Output>('GetStatuses', {
      account: p.account,
      deletedSize: opts.deletedSize ?? false,
      recent: opts.recent ?? false,
    });
    return res.statuses;
  }

  quota(p: Principal, mailbox = ''): Promise<QuotaInfo> {
    return this.unary('GetQuota', { account: p.account, mailbox });
  }

  async select(p: Principal, target: MailboxTarget, opts: { claimRecent?: boolean; firstUnseen?: boolean } = {}): Promise<SelectResult> {
    let status: MailboxStatus | undefined;
    const first: number[] = [];
    const last: number[] = [];
    await this.stream<{ status?: MailboxStatus; runs?: { first: number[]; last: number[] } }>(
      'Select',
      {
        account: p.account,
        owner: target.owner,
        name: target.name,
        claimRecent: opts.claimRecent ?? false,
        firstUnseen: opts.firstUnseen ?? false,
      },
      (part) => {
        if (part.status) status = part.status;
        else if (part.runs) {
          for (const u of part.runs.first) first.push(u);
          for (const u of part.runs.last) last.push(u);
        }
      },
    );
    if (!status) throw new BackendError('Select returned no status', grpc.status.INTERNAL, 'SERVERBUG');
    return { status, uids: UidList.fromRuns(first, last) };
  }

  append(p: Principal, input: AppendInput): Promise<AppendResponse__Output> {
    return this.unary('Append', { account: p.account, ...input });
  }

  fetch(p: Principal, query: FetchQuery, onBatch: FetchBatchHandler): Promise<void> {
    return this.stream<FetchResponse__Output>('Fetch', { account: p.account, ...query }, (page) =>
      onBatch(page.messages.map(parsed), page.columns ?? undefined),
    );
  }

  async changes(p: Principal, mb: MailboxRef, sinceModseq: number, opts: { claimRecent?: boolean } = {}): Promise<Changes> {
    let status: MailboxStatus | undefined;
    const changed: ChangedMessage__Output[] = [];
    const expunged: number[] = [];
    await this.stream<{ status: MailboxStatus | null; changed: ChangedMessage__Output[]; expunged: number[] }>(
      'GetChanges',
      { account: p.account, owner: mb.owner, mailboxId: mb.mailboxId, sinceModseq, claimRecent: opts.claimRecent ?? false },
      (part) => {
        if (part.status) status = part.status;
        for (const m of part.changed) changed.push(m);
        for (const u of part.expunged) expunged.push(u);
      },
    );
    if (!status) throw new BackendError('GetChanges returned no status', grpc.status.INTERNAL, 'SERVERBUG');
    return { status, changed, expunged };
  }

  getAcl(p: Principal, target: MailboxTarget, entries: boolean): Promise<Acl> {
    return this.unary('GetAcl', { account: p.account, owner: target.owner, name: target.name, entries });
  }

  async setAcl(p: Principal, target: MailboxTarget, identifier: string, change: AclChange, rights: string): Promise<string> {
    const mode = { replace: 'ACL_MODE_REPLACE', add: 'ACL_MODE_ADD', remove: 'ACL_MODE_REMOVE', delete: 'ACL_MODE_DELETE' }[change];
    const res = await this.unary<{ rights: string }>('SetAcl', {
      account: p.account,
      owner: target.owner,
      name: target.name,
      identifier,
      rights,
      mode,
    });
    return res.rights;
  }

  close(): void {
    this.mux?.close();
    this.client.close();
    this.heartbeatClient?.close();
  }
}
