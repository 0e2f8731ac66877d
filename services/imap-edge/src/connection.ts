// One client connection: framing through the receiver, one command at a time
// in arrival order (pipelined commands queue in the receiver), the single
// error funnel, and the sync that reports mailbox changes before tagged replies.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import {
  activeTraceId,
  failActiveSpan,
  inSpan,
  linkActiveSpan,
  linkFrom,
  ROOT_CONTEXT,
  SpanKind,
  tracing,
  type ChangeEvent,
  type LimitKind,
  type Link,
  type Logger,
  type Span,
} from '@kimap/common';
import type { AccountGuard } from './account-guard.js';
import { BackendError, type MailboxBackend } from './backend.js';
import type { ChangeSet } from './selected.js';
import { SASL_MECHANISMS } from './commands/authenticate.js';
import { ImapBad, ImapNo, type Completion } from './commands/command.js';
import {
  DEFAULT_MAX_LOGIN_FAILURES,
  DEFAULT_WRITE_TIMEOUT_MS,
  defaultMaxOutputBytes,
  type CommandContext,
  type EdgeSettings,
} from './commands/context.js';
import { announceKeywords } from './commands/flags.js';
import { BASE_CAPABILITIES, commandNamed } from './commands/registry.js';
import type { ChangeFeed, ChangeListener } from './feed.js';
import { OTHER_COMMAND, type BadCommandKind, type CommandStatus, type EdgeMetrics } from './metrics.js';
import type { BodyCache } from './body-cache.js';
import type { HeaderCache } from './header-cache.js';
import type { MailboxViews } from './mailbox-view.js';
import {
  CommandParser,
  CommandReceiver,
  ParseError,
  ResponseEncoder,
  formatUidSet,
  UnknownCommandError,
  type LiteralDecision,
  type LiteralRequest,
  type ReceivedCommand,
  type ReceiveError,
} from './protocol/index.js';
import { Session } from './session.js';
import type { SessionRegistry } from './session-registry.js';

/** Commands whose literals may be large; everything else gets a small cap. */
const MAX_SMALL_LITERAL = 64 * 1024;
/** Unsent output above which a connection stops reading until the client catches up. */
const OUTPUT_HIGH_WATER = 1024 * 1024;
/** How soon a login deadline that found a command running looks again. */
const LOGIN_DEADLINE_RECHECK_MS = 250;

/** Untagged updates a sync writes between waits for the client to take them (see drain). */
const SYNC_LINES_PER_DRAIN = 2048;

/** The connection ended while a command waited for the client to read (a write timeout, an output limit, the client gone). */
class ConnectionGone extends Error {
  constructor() {
    super('connection closed');
  }
}

/** While the change feed is down, how often a session asks whether its account may still be used. */
const ACCOUNT_CHECK_WITHOUT_FEED_MS = 5000;

/** Changes linked from the span that reports them, at most (see linkWake). */
const MAX_WAKE_LINKS = 16;

/**
 * While tracing: the traces of the changes that woke a session, for the span
 * that reports them. Kept beside the connections, which hold nothing more for it.
 */
const wakeLinks = new WeakMap<Connection, Link[]>();

/** Commands executed by this process so far (all connections). */
export const commandsExecuted = { count: 0 };

export interface ConnectionDeps {
  backend: MailboxBackend;
  feed: ChangeFeed;
  accounts: AccountGuard;
  /** The connection limits; undefined: none. */
  sessions?: SessionRegistry;
  log: Logger;
  settings: EdgeSettings;
  secureContext?: SecureContext;
  metrics?: EdgeMetrics;
  headers?: HeaderCache;
  bodies?: BodyCache;
  views?: MailboxViews;
  /** Whether the change feed is healthy; when not, sessions poll on every command. */
  feedHealthy: () => boolean;
}

export class Connection implements ChangeListener {
  readonly session: Session;
  private socket: Socket;
  private receiver: CommandReceiver;
  private enc: ResponseEncoder;
  private busy = false;
  private closed = false;
  /** BAD answers in a row (any other answer resets it); more than maxBadCommands end the session. */
  private badCount = 0;
  private loginFailures = 0;
  /** Set when the session must end once the command under way is answered: the BYE's text. */
  private byeAfterCommand?: string;
  private lastAccountCheck = 0;
  private listeningAccount?: number;
  /** The other account's mailbox this session has selected and hears the events of (see ChangeFeed.watch). */
  private watchingMailbox?: number;
  /** Output handed to the socket (in socket.writableLength's units), for the write watch. */
  private queuedOutput = 0;
  /** How much of it had left when the write watch last looked. */
  private sentMark = 0;
  /** Armed while output waits unsent: a client that takes none of it for writeTimeoutMs is cut off. */
  private writeWatch?: NodeJS.Timeout;
  private writeWatchArmed = false;
  /** Runs from the greeting to a login: a client that trickles bytes or only chats never resets it. */
  private loginDeadline?: NodeJS.Timeout;
  private readonly maxOutputBytes: number;

  constructor(
    socket: Socket,
    private readonly deps: ConnectionDeps,
    tls: boolean,
    /** The client's address when the socket's peer is not the client (a PROXY protocol balancer). */
    remoteAddress = socket.remoteAddress ?? 'unknown',
  ) {
    this.socket = socket;
    this.session = new Session(randomBytes(6).toString('hex'), remoteAddress, tls);
    this.maxOutputBytes = deps.settings.limits.maxOutputBytes ?? defaultMaxOutputBytes(deps.settings.limits.appendLimit);
    this.receiver = this.newReceiver();
    this.enc = this.newEncoder();
    this.attach(socket);
  }

  /** A logger bound to the session, made when something is logged: an idle session keeps none. */
  private get log(): Logger {
    return this.deps.log.child({ session: this.session.id });
  }

  start(): void {
    this.deps.metrics?.connections.opened(this.session.tls ? 'imaps' : 'imap', this.session.tls);
    this.deps.log.info({ session: this.session.id, remote: this.session.remoteAddress, tls: this.session.tls }, 'connected');
    this.enc.status(null, 'OK', `${this.deps.settings.hostname} IMAP ready`, 'CAPABILITY ' + this.capabilities().join(' '));
    this.enc.flush();
    this.armLoginDeadline(this.deps.settings.limits.preAuthTimeoutMs);
    this.armTimeout();
  }

  private newReceiver(): CommandReceiver {
    const limits = this.deps.settings.limits;
    return new CommandReceiver({
      maxLineLength: limits.maxLineLength,
      maxLiteralSize: limits.appendLimit,
      maxCommandSize: limits.appendLimit + limits.maxLineLength,
      literalMode: 'LITERAL+',
      onContinuationNeeded: (req) => this.onLiteral(req),
    });
  }

  private newEncoder(): ResponseEncoder {
    return new ResponseEncoder(
      (chunk) => {
        if (this.closed) return;
        // Output a client has not taken, past the limit: it is not reading, and holding more helps nobody.
        if (this.socket.writableLength > this.maxOutputBytes) {
          this.cutOff('output_limit');
          return;
        }
        this.socket.write(chunk);
        this.queuedOutput += chunk.length;
        if (this.deps.metrics) this.deps.metrics.connections.sent += chunk.length;
        this.watchWrites();
      },
      { utf8: this.session?.utf8 ?? false },
    );
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
    socket.on('close', () => this.onClose());
    socket.on('timeout', () => this.onIdleSocket());
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.deps.metrics) this.deps.metrics.connections.received += chunk.length;
    if (!this.receiver.push(chunk)) this.socket.pause();
    if (this.lineWaiter) this.feedLineWaiter();
    else void this.pump();
  };

  /** A command waiting for a raw client line (AUTHENTICATE, IDLE). */
  private lineWaiter?: { resolve(line: Buffer): void; reject(err: Error): void };

  private readLine(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.lineWaiter = { resolve, reject };
      this.receiver.readRawLine(true);
      this.feedLineWaiter();
    });
  }

  private feedLineWaiter(): void {
    const waiter = this.lineWaiter;
    if (!waiter) return;
    const ev = this.receiver.next();
    if (!ev) {
      if (this.socket.isPaused()) this.socket.resume();
      return;
    }
    this.lineWaiter = undefined;
    if (ev.kind === 'raw-line') waiter.resolve(ev.line);
    else waiter.reject(new ImapBad(ev.kind === 'error' ? ev.message : 'Expected a continuation line'));
  }

  /**
   * Synchronizing literals: refuse too-large ones before the client sends a
   * byte (TOOBIG for APPEND, BAD elsewhere); otherwise invite the data.
   */
  private onLiteral(req: LiteralRequest): LiteralDecision {
    const isAppend = req.name === 'APPEND';
    const limit = isAppend ? this.deps.settings.limits.appendLimit : MAX_SMALL_LITERAL;
    if (req.overLimit || req.size > limit) {
      this.deps.metrics?.limitHit('literal_too_big');
      if (isAppend) this.enc.status(req.tag, 'NO', 'Message exceeds the APPENDLIMIT', 'TOOBIG');
      else this.enc.status(req.tag, 'BAD', 'Literal too large', 'TOOBIG');
      return 'refuse';
    }
    if (isAppend && this.session.state === 'not-authenticated') {
      this.enc.status(req.tag, 'BAD', 'Log in first');
      return 'refuse';
    }
    this.enc.continuation('Ready for literal data');
    return 'accept';
  }

  /** Runs queued commands one after another; re-entered on every data event. */
  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.closed) {
        const ev = this.receiver.next();
        if (!ev) break;
        if (ev.kind === 'error') this.onReceiveError(ev);
        else if (ev.kind === 'command') await (tracing.on ? this.traceCommand(ev) : this.execute(ev));
        if (this.byeAfterCommand !== undefined) {
          this.shutdown(this.byeAfterCommand);
          break;
        }
        if (this.session.state === 'logout') {
          this.close();
          break;
        }
      }
    } finally {
      this.busy = false;
    }
    if (!this.closed && this.socket.isPaused() && this.receiver.pendingBytes < OUTPUT_HIGH_WATER) this.socket.resume();
  }

  private onReceiveError(err: ReceiveError): void {
    const limit = RECEIVE_LIMITS[err.code];
    if (limit) this.deps.metrics?.limitHit(limit);
    const code = err.responseCode;
    this.enc.status(err.tag ?? null, 'BAD', err.message, code);
    if (err.fatal) {
      this.enc.status(null, 'BYE', 'Too much invalid input');
      this.enc.flush();
      this.close();
      return;
    }
    this.enc.flush();
    this.countBad(limit ? 'limit' : 'syntax');
  }

  private countBad(kind: BadCommandKind): void {
    this.badCount++;
    this.deps.metrics?.badCommand(kind);
    if (this.badCount > this.deps.settings.limits.maxBadCommands) {
      this.deps.metrics?.limitHit('too_many_bad_commands');
      this.enc.status(null, 'BYE', 'Too many invalid commands');
      this.enc.flush();
      this.close();
    }
  }

  /**
   * A command in a span of its own, the root of its trace: `imap <COMMAND>`
   * (OTHER for a name no command has), with its outcome, the session and the
   * selected mailbox; never its arguments.
   */
  private traceCommand(cmd: ReceivedCommand): Promise<void> {
    const name = commandNamed(cmd.name) ? cmd.name : 'OTHER';
    const attributes = { 'imap.command': name, 'imap.session_id': this.session.id };
    return inSpan(`imap ${name}`, { kind: SpanKind.SERVER, attributes, parent: ROOT_CONTEXT }, (span) => this.execute(cmd, span));
  }

  private async execute(cmd: ReceivedCommand, span?: Span): Promise<void> {
    commandsExecuted.count++;
    const started = process.hrtime.bigint();
    const command = commandNamed(cmd.name);
    let outcome: CommandStatus = 'OK';
    // A command's responses leave in as few writes as possible; commands that
    // talk with the client while they run are not held back.
    const corked = command?.interactive ? undefined : this.socket;
    corked?.cork();
    try {
      if (!command) throw new UnknownCommandError(cmd.name);
      if (!command.states.includes(this.session.state)) {
        throw new WrongState(stateMessage(this.session.state, cmd.name));
      }
      if (this.session.principal && (await this.accountGone())) {
        outcome = 'BYE';
        return;
      }
      const args = command.parse(CommandParser.forCommand(cmd), cmd.name);
      const done: Completion = (await command.run(this.context(), { tag: cmd.tag, name: cmd.name, args })) ?? {};
      if (done.answered) return;
      if (this.session.state === 'selected') await this.sync({ allowExpunge: command.expungeAllowed ?? true });
      this.enc.status(cmd.tag, 'OK', done.text ?? `${cmd.name} completed`, done.code);
    } catch (err) {
      // Refused because the selected mailbox went away or may not be read any more? Its
      // sync says so (and ends the session with BYE); a client that only FETCHes would
      // otherwise be told NO over and over.
      const mb = this.session.selected;
      if (mb && err instanceof BackendError && (err.imapCode === 'NONEXISTENT' || (mb.owner && err.imapCode === 'NOPERM')))
        await this.sync({ allowExpunge: false, force: true }).catch(() => undefined);
      outcome = this.answerError(cmd, err);
    } finally {
      // The limit is on BADs in a row: a client that errs now and then over a long session is not cut off.
      if (outcome !== 'BAD') this.badCount = 0;
      this.enc.flush();
      if (corked && corked.writableCorked > 0) corked.uncork();
      this.watchSelected();
      this.deps.metrics?.observeCommand(command ? cmd.name : OTHER_COMMAND, outcome, Number(process.hrtime.bigint() - started) / 1e9);
      if (this.deps.log.isLevelEnabled('debug')) this.log.debug({ command: cmd.name, outcome }, 'command');
      span?.setAttribute('imap.status', outcome);
      if (span && this.session.selected) span.setAttribute('imap.mailbox_id', this.session.selected.mailboxId);
      this.armTimeout();
    }
  }

  /** The one error funnel: protocol errors BAD, domain errors NO [code], the rest NO [SERVERBUG]. */
  private answerError(cmd: ReceivedCommand, err: unknown): CommandStatus {
    // Ended under the command (BYE, or the client went away): nobody to answer.
    if (this.closed) return 'BYE';
    if (err instanceof ParseError && err.status === 'NO') {
      this.enc.status(cmd.tag, 'NO', err.message, err.responseCode);
      return 'NO';
    }
    if (err instanceof ParseError || err instanceof ImapBad) {
      this.enc.status(cmd.tag, 'BAD', err.message, err instanceof ParseError ? err.responseCode : err.code);
      this.countBad(badKind(err));
      return 'BAD';
    }
    if (err instanceof ImapNo) {
      this.enc.status(cmd.tag, 'NO', err.message, err.code);
      return 'NO';
    }
    if (err instanceof BackendError && err.imapCode && err.imapCode !== 'SERVERBUG') {
      if (err.imapCode === 'OVERQUOTA') this.deps.metrics?.quotaRefused();
      this.enc.status(cmd.tag, 'NO', err.message, err.imapCode);
      return 'NO';
    }
    failActiveSpan();
    const traceId = activeTraceId() ?? randomBytes(8).toString('hex');
    this.log.error({ err, command: cmd.name, traceId }, 'command failed');
    this.enc.status(cmd.tag, 'NO', `Internal error, trace ${traceId}`, 'SERVERBUG');
    return 'NO';
  }

  /** What commands see of the connection: made once (again after STARTTLS, which replaces the encoder). */
  private commandContext?: CommandContext;

  private context(): CommandContext {
    return (this.commandContext ??= {
      session: this.session,
      backend: this.deps.backend,
      feed: this.deps.feed,
      accounts: this.deps.accounts,
      ...(this.deps.sessions ? { sessions: this.deps.sessions } : {}),
      ...(this.deps.headers ? { headers: this.deps.headers } : {}),
      ...(this.deps.bodies ? { bodies: this.deps.bodies } : {}),
      ...(this.deps.views ? { views: this.deps.views } : {}),
      ...(this.deps.metrics ? { metrics: this.deps.metrics } : {}),
      enc: this.enc,
      log: () => this.log,
      settings: this.deps.settings,
      conn: {
        startTls: () => this.startTls(),
        close: () => this.close(),
        drain: () => this.drain(),
        readLine: () => this.readLine(),
        loginFailed: () => this.loginFailed(),
        isClosed: () => this.closed,
      },
      capabilities: () => this.capabilities(),
      feedHealthy: () => this.deps.feedHealthy(),
      onWake: (fn) => {
        if (fn && !this.idleWaker) this.deps.metrics?.idleSessions.inc();
        else if (!fn && this.idleWaker) this.deps.metrics?.idleSessions.dec();
        this.idleWaker = fn;
      },
      sync: (opts) => this.sync(opts),
      deselect: () => this.deselect(),
    });
  }

  capabilities(): string[] {
    const s = this.session;
    const caps = [...BASE_CAPABILITIES, `APPENDLIMIT=${this.deps.settings.limits.appendLimit}`];
    if (s.state === 'not-authenticated') {
      if (!s.tls && this.deps.settings.tlsAvailable) caps.push('STARTTLS');
      if (!s.tls && !this.deps.settings.allowPlaintextAuth) caps.push('LOGINDISABLED');
      else caps.push(...SASL_MECHANISMS.map((m) => `AUTH=${m}`));
    }
    return caps;
  }

  /**
   * Pulls the changes to the selected mailbox since the session's MODSEQ and
   * reports them: EXPUNGE (when allowed), EXISTS, FETCH FLAGS. Runs when an
   * event rang for this account, or when the feed is down and the poll
   * interval passed.
   */
  sync(opts: { allowExpunge: boolean; force?: boolean }): Promise<void> {
    const links = tracing.on ? wakeLinks.get(this) : undefined;
    if (!links) return this.pull(opts);
    wakeLinks.delete(this);
    // A command's span links the changes it reports; an IDLE session's push is
    // a trace of its own (the IDLE command can last for many minutes).
    if (!this.idleWaker) {
      linkActiveSpan(links);
      return this.pull(opts);
    }
    const attributes = {
      'imap.session_id': this.session.id,
      ...(this.session.selected && { 'imap.mailbox_id': this.session.selected.mailboxId }),
    };
    return inSpan('imap IDLE refresh', { kind: SpanKind.INTERNAL, attributes, links, parent: ROOT_CONTEXT }, () => this.pull(opts));
  }

  private async pull(opts: { allowExpunge: boolean; force?: boolean }): Promise<void> {
    const s = this.session;
    if (s.principal && (await this.accountGone())) return;
    const mb = s.selected;
    if (!mb || !s.principal) return;
    // Another account's mailbox is pulled on every sync unless the edge's views are
    // current: the pull checks the session's rights, so that a revoked grant ends the
    // session at its next command. With the feed current, the ACL event that revokes it
    // marks the session dirty and drops the edge's views of the mailbox: the session's
    // next sync asks the service.
    const stale =
      (mb.owner !== '' && !this.deps.views?.current()) ||
      Date.now() - s.lastSync >=
        (this.deps.feedHealthy() ? this.deps.settings.pollIntervalMs : Math.min(this.deps.settings.pollIntervalMs, 5000));
    if (!opts.force && !s.dirty && !stale && !mb.hasOwnChange) return;
    // The session's own change, with nothing else in between: no need to ask (unless
    // it brings new messages whose \Recent an IMAP4rev1 session has to learn from the service).
    const own = mb.takeOwnChange();
    const recentKnown =
      mb.recentMode === 'off' || (mb.recentMode === 'claim' && own?.recentClaimed) || !own?.changed.some((m) => m.uid > mb.maxUid);
    let changes: ChangeSet;
    if (own && !opts.force && !stale && recentKnown) {
      changes = own;
      s.dirty = false;
    } else {
      s.dirty = false;
      // An event rang: the edge's view of the mailbox, brought up to date once for all its
      // sessions here, says what changed (new messages of an IMAP4rev1 session excepted:
      // their \Recent is claimed from the service). A poll, or any doubt, asks the service.
      const fromView =
        !opts.force && !stale && this.deps.views
          ? await this.deps.views.changes(s.principal, mb, { newFromService: mb.recentMode !== 'off' })
          : undefined;
      if (fromView) changes = fromView;
      else
        try {
          s.lastSync = Date.now();
          changes = await this.deps.backend.changes(s.principal, mb, mb.highestModseq, { claimRecent: mb.recentMode === 'claim' });
        } catch (err) {
          // The selected mailbox was deleted elsewhere, or the grant that gave access to it
          // was revoked (RFC 4314 5.1.1): nothing sensible is left to show.
          if (err instanceof BackendError && (err.imapCode === 'NONEXISTENT' || (mb.owner && err.imapCode === 'NOPERM'))) {
            const reason = mb.owner ? 'Access to the selected mailbox was revoked' : 'Selected mailbox was deleted';
            this.enc.status(null, 'BYE', `${reason}, please reconnect`);
            this.enc.flush();
            this.session.state = 'logout';
            this.close();
            return;
          }
          throw err;
        }
    }
    // Keywords the mailbox had not used before are announced before anything shows them.
    announceKeywords(
      this.enc,
      mb,
      changes.changed.map((m) => m.flags),
    );
    const knownMax = mb.maxUid;
    const update = mb.apply(changes, { allowExpunge: opts.allowExpunge });
    const { firstRecentUid, claimedFirst = 0, claimedLast = 0 } = changes.status;
    if (firstRecentUid !== undefined) mb.noteRecent({ firstRecentUid, claimedFirst, claimedLast }, knownMax);
    // QRESYNC clients get one VANISHED instead of an EXPUNGE per message (RFC 7162 3.2.10).
    if (s.qresync && update.vanished.length) {
      this.enc
        .untagged()
        .raw('VANISHED ' + formatUidSet([...update.vanished].sort((a, b) => a - b)))
        .crlf();
    } else {
      for (const seq of update.expunged) this.enc.untagged().number(seq).raw(' EXPUNGE').crlf();
    }
    if (update.exists !== undefined) this.enc.untagged().number(update.exists).raw(' EXISTS').crlf();
    // IMAP4rev1: the RECENT count whenever it changed (new messages, expunges), as Dovecot does.
    if (mb.recentMode !== 'off' && mb.recentCount !== mb.reportedRecent) {
      mb.reportedRecent = mb.recentCount;
      this.enc.untagged().number(mb.reportedRecent).raw(' RECENT').crlf();
    }
    let lines = 0;
    for (const f of update.flags) {
      // A large update (a STORE on a big mailbox elsewhere) leaves in parts, as the client takes them.
      if (++lines % SYNC_LINES_PER_DRAIN === 0) {
        this.enc.flush();
        await this.drain();
      }
      this.enc.untagged().number(f.seq).raw(' FETCH (');
      if (s.qresync) this.enc.raw('UID ').number(f.uid).sp();
      this.enc.raw('FLAGS ').flags(mb.flagsOf(f.uid, f.flags));
      if (s.condstore) this.enc.raw(' MODSEQ (').number(f.modseq).raw(')');
      this.enc.raw(')').crlf();
    }
    if (!opts.allowExpunge && changes.expunged.length) s.dirty = true;
  }

  /** A change event for this session's account, or for the other account's mailbox it has selected (from the change feed). */
  onChange(event: ChangeEvent): void {
    if (event.kind === 'account') {
      // Only this session's own account (a shared mailbox's owner is heard of too).
      if (event.accountId === this.session.principal?.account.accountId) void this.checkAccount();
      return;
    }
    const mb = this.session.selected;
    if (!mb || event.mailboxId !== mb.mailboxId) return;
    // The ACL changed: the next sync checks the session's rights (an IDLE session at once).
    if (event.kind === 'acl') {
      this.session.dirty = true;
      if (event.trace) this.linkWake(event);
      this.idleWaker?.();
      return;
    }
    if (event.modseq > mb.highestModseq) {
      mb.eventModseq = Math.max(mb.eventModseq, event.modseq);
      this.session.dirty = true;
      if (event.trace) this.linkWake(event);
      if (this.idleWaker) {
        if (event.at !== undefined) this.deps.metrics?.observePush(event.at);
        this.idleWaker();
      }
    }
  }

  private linkWake(event: ChangeEvent): void {
    const link = tracing.on && event.trace ? linkFrom(event.trace) : undefined;
    if (!link) return;
    const links = wakeLinks.get(this);
    // A burst of changes before the session reports them: the first few stand for all.
    if (!links) wakeLinks.set(this, [link]);
    else if (links.length < MAX_WAKE_LINKS) links.push(link);
  }

  /** Asks whether the session's account may still be used; ends the session when not. */
  private async checkAccount(maxAgeMs = 0): Promise<boolean> {
    const p = this.session.principal;
    if (!p || this.closed) return true;
    this.lastAccountCheck = Date.now();
    const active = await this.deps.accounts.active(p, maxAgeMs);
    if (!active) this.endSession('Account disabled', 'account_disabled');
    return active;
  }

  /**
   * While the change feed is down no `account` event can ring: a session
   * asks itself, at most every few seconds. True when the session ended.
   */
  private async accountGone(): Promise<boolean> {
    if (this.closed) return true;
    if (this.deps.feedHealthy() || Date.now() - this.lastAccountCheck < ACCOUNT_CHECK_WITHOUT_FEED_MS) return false;
    return !(await this.checkAccount(ACCOUNT_CHECK_WITHOUT_FEED_MS));
  }

  /**
   * Ends the session with BYE: at once when no command runs (or in IDLE,
   * which only waits), otherwise once the command under way is answered.
   */
  private endSession(text: string, reason: string): void {
    if (this.closed || this.byeAfterCommand !== undefined) return;
    this.deps.metrics?.sessionsEnded.inc({ reason });
    this.log.info({ user: this.session.principal?.username, reason }, 'ending session');
    if (this.busy && !this.idleWaker) this.byeAfterCommand = text;
    else this.shutdown(text);
  }

  private loginFailed(): void {
    this.loginFailures++;
    const max = this.deps.settings.limits.maxLoginFailures ?? DEFAULT_MAX_LOGIN_FAILURES;
    if (max > 0 && this.loginFailures >= max) {
      this.deps.metrics?.sessionsEnded.inc({ reason: 'login_failures' });
      this.deps.metrics?.limitHit('too_many_login_failures');
      this.log.info({ remote: this.session.remoteAddress, failures: this.loginFailures }, 'too many failed logins; closing');
      this.byeAfterCommand = 'Too many failed logins';
    }
  }

  /** Set while the session IDLEs: pushes changes to the client as they arrive. */
  private idleWaker?: () => void;

  private deselect(): void {
    this.session.selected = undefined;
    this.session.savedSearch = [];
    if (this.session.state === 'selected') this.session.state = 'authenticated';
  }

  /** Hears the events of the selected mailbox when it is another account's (the feed routes by account otherwise). */
  private watchSelected(): void {
    const mb = this.session.selected;
    const wanted = mb?.owner ? mb.mailboxId : undefined;
    if (wanted === this.watchingMailbox) return;
    if (this.watchingMailbox !== undefined) this.deps.feed.unwatch(this.watchingMailbox, this);
    if (wanted !== undefined) this.deps.feed.watch(wanted, this);
    this.watchingMailbox = wanted;
  }

  /** Registers with the feed once the session has an account. */
  private listen(): void {
    const account = this.session.principal?.account.accountId;
    if (account === undefined || this.listeningAccount === account) return;
    this.deps.feed.add(account, this);
    this.listeningAccount = account;
  }

  private startTls(): void {
    if (!this.deps.secureContext) throw new ImapBad('STARTTLS is not available');
    const raw = this.socket;
    raw.removeListener('data', this.onData);
    raw.setTimeout(0);
    raw.removeAllListeners('timeout');
    // Anything pipelined after STARTTLS in clear text is discarded.
    this.receiver.reset();
    const tlsSocket = new TLSSocket(raw, { isServer: true, secureContext: this.deps.secureContext });
    this.socket = tlsSocket;
    this.queuedOutput = 0;
    this.sentMark = 0;
    this.session.transport = 'starttls';
    this.deps.metrics?.connections.upgraded('imap');
    this.enc = this.newEncoder();
    this.commandContext = undefined;
    tlsSocket.on('data', this.onData);
    tlsSocket.on('error', (err) => {
      this.log.debug({ err }, 'TLS error');
      this.close();
    });
    tlsSocket.on('timeout', () => this.onIdleSocket());
    raw.resume();
  }

  /** Output the client has not taken yet, in bytes (characters for text). */
  get unsentBytes(): number {
    return this.closed ? 0 : this.socket.writableLength;
  }

  /** Arms the write watch when output waits (once: it re-arms itself while the client makes progress). */
  private watchWrites(): void {
    if (this.writeWatchArmed || this.socket.writableLength === 0) return;
    this.writeWatchArmed = true;
    this.sentMark = this.queuedOutput - this.socket.writableLength;
    const ms = this.deps.settings.limits.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    // One timer per connection, made the first time output waits and re-armed after.
    if (this.writeWatch) this.writeWatch.refresh();
    else this.writeWatch = setTimeout(this.checkWrites, ms);
  }

  private readonly checkWrites = (): void => {
    if (this.closed) return;
    const unsent = this.socket.writableLength;
    const sent = this.queuedOutput - unsent;
    if (unsent === 0) {
      // Nothing waits: the watch sleeps until output waits again.
      this.writeWatchArmed = false;
      return;
    }
    // Corked: a command is still writing its answer, and nothing was offered to the client yet.
    if (sent > this.sentMark || this.socket.writableCorked > 0) {
      this.sentMark = sent;
      this.writeWatch?.refresh();
      return;
    }
    this.cutOff('write_timeout');
  };

  /** Closes a connection whose client does not read: no BYE (it would not be read either), counted as a limit hit. */
  private cutOff(kind: 'write_timeout' | 'output_limit'): void {
    if (this.closed) return;
    this.deps.metrics?.limitHit(kind);
    this.log.info(
      { remote: this.session.remoteAddress, user: this.session.principal?.username, kind, unsent: this.socket.writableLength },
      'client does not read its output; closing',
    );
    this.closed = true;
    this.socket.destroy();
  }

  private drain(): Promise<void> {
    if (this.closed) return Promise.reject(new ConnectionGone());
    if (this.socket.writableLength < OUTPUT_HIGH_WATER) return Promise.resolve();
    // A corked socket never drains: let the buffered responses go, then hold again.
    const corks = this.socket.writableCorked;
    for (let i = 0; i < corks; i++) this.socket.uncork();
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        if (this.closed) {
          reject(new ConnectionGone());
          return;
        }
        for (let i = 0; i < corks; i++) socket.cork();
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  private armTimeout(): void {
    if (this.closed) return;
    const limits = this.deps.settings.limits;
    this.socket.setTimeout(this.session.state === 'not-authenticated' ? limits.preAuthTimeoutMs : limits.autologoutMs);
    if (this.session.principal) this.listen();
    if (this.loginDeadline && this.session.state !== 'not-authenticated') {
      clearTimeout(this.loginDeadline);
      this.loginDeadline = undefined;
    }
  }

  /**
   * The time a connection has from its greeting to a login. A command the server is still
   * running when it passes (a LOGIN waiting on the password check of a loaded machine) is
   * let finish: the client is not the one taking the time.
   */
  private armLoginDeadline(ms: number): void {
    this.loginDeadline = setTimeout(() => {
      this.loginDeadline = undefined;
      if (this.session.state !== 'not-authenticated') return;
      if (this.busy) this.armLoginDeadline(LOGIN_DEADLINE_RECHECK_MS);
      else this.onTimeout();
    }, ms);
  }

  /**
   * Nothing came or went for the pre-auth or autologout time. A command the server is
   * still working on is not the client's idleness: its answer wakes the timer again.
   */
  private onIdleSocket(): void {
    if (this.interruptible) this.onTimeout();
  }

  private onTimeout(): void {
    if (this.closed) return;
    this.enc.status(null, 'BYE', this.session.state === 'not-authenticated' ? 'Login timed out' : 'Autologout; idle for too long');
    this.enc.flush();
    this.close();
  }

  /** Sends BYE to a session and closes it (graceful drain, too many failed logins, a disabled account). */
  shutdown(reason: string): void {
    if (this.closed) return;
    this.session.state = 'logout';
    this.enc.status(null, 'BYE', reason);
    this.enc.flush();
    this.close();
  }

  /** No command must finish first: none runs, or the one running is IDLE, which only waits. */
  get interruptible(): boolean {
    return !this.busy || this.idleWaker !== undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    // A client that never reads must not hold the socket forever.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private onClose(): void {
    this.closed = true;
    if (this.writeWatch) clearTimeout(this.writeWatch);
    if (this.loginDeadline) clearTimeout(this.loginDeadline);
    this.lineWaiter?.reject(new Error('connection closed'));
    this.lineWaiter = undefined;
    if (this.listeningAccount !== undefined) this.deps.feed.remove(this.listeningAccount, this);
    this.listeningAccount = undefined;
    if (this.watchingMailbox !== undefined) this.deps.feed.unwatch(this.watchingMailbox, this);
    this.watchingMailbox = undefined;
    if (this.session.principal) this.deps.sessions?.close(this.session.principal, this.session.id);
    this.deps.metrics?.connections.closed(this.session.transport === 'implicit' ? 'imaps' : 'imap', this.session.tls);
    this.deps.log.info({ session: this.session.id, user: this.session.principal?.username }, 'disconnected');
    this.onClosed?.();
  }

  onClosed?: () => void;
}

/** A command sent in a state it is not valid in (counted apart from other BADs). */
class WrongState extends ImapBad {}

function badKind(err: ParseError | ImapBad): BadCommandKind {
  if (err instanceof UnknownCommandError) return 'unknown';
  if (err instanceof ParseError) return 'syntax';
  return err instanceof WrongState ? 'state' : 'refused';
}

/** The receiver's errors that are limits (kimap_limit_hits_total), by the kind they are counted as. */
const RECEIVE_LIMITS: Partial<Record<ReceiveError['code'], LimitKind>> = {
  LINE_TOO_LONG: 'line_too_long',
  LITERAL_TOO_BIG: 'literal_too_big',
  NON_SYNC_LITERAL_TOO_BIG: 'literal_too_big',
  COMMAND_TOO_BIG: 'command_too_big',
};

function stateMessage(state: string, name: string): string {
  if (state === 'not-authenticated') return `${name} requires authentication`;
  if (state === 'authenticated') return `${name} requires a selected mailbox`;
  return `${name} is not valid in this state`;
}
