// The LMTP listener (RFC 2033) on nodemailer's smtp-server: an MTA hands it
// mail, each recipient is asked about at RCPT, and after DATA the message
// goes to the mailbox service in one Deliver call, with one reply per
// accepted recipient. Nothing is kept here: a reply of 250 is sent only once
// the mailbox service has committed the message for that recipient, and a
// message whose connection drops before its end is never handed on.
import type { Socket } from 'node:net';
import {
  connectionMetrics,
  inSpan,
  limitHits,
  PROXY_PROTOCOL_OFF,
  ProxyGate,
  quotaRefusals,
  ROOT_CONTEXT,
  SpanKind,
  tracing,
  type ConnectionMetrics,
  type Logger,
  type ProxyProtocolSettings,
  type Span,
} from '@kimap/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { SMTPServer, type SMTPServerDataResult, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { DeliveryBackend, DeliveryResult, DeliveryStatus } from './backend.js';
import type { DeliverySettings } from './settings.js';

export interface DeliveryListenerOptions {
  backend: DeliveryBackend;
  settings: DeliverySettings;
  log: Logger;
  host: string;
  port: number;
  registry?: Registry;
  /** PROXY protocol before LMTP; off when left out. */
  proxy?: ProxyProtocolSettings;
}

export interface RunningDeliveryListener {
  /** The bound port. */
  port: number;
  ready(): boolean;
  /** Stops accepting; waits up to `graceMs` for open transactions, then closes every connection (421). */
  stop(graceMs: number): Promise<void>;
}

type Outcome = 'delivered' | 'unknown' | 'over_quota' | 'failed' | 'malformed' | 'duplicate';

interface ListenerMetrics {
  connections?: ConnectionMetrics;
  recipients: Counter<'stage' | 'result'>;
  messages: Counter;
  seconds: Histogram;
  /** Recipients over quota (kimap_quota_refusals_total{protocol="lmtp"}). */
  overQuota?: Counter<'protocol'>;
  limits?: Counter<'kind'>;
}

function createMetrics(registry: Registry | undefined): ListenerMetrics {
  const registers = registry ? [registry] : [];
  return {
    ...(registry && { connections: connectionMetrics(registry, 'lmtp'), overQuota: quotaRefusals(registry), limits: limitHits(registry) }),
    recipients: new Counter({
      name: 'kimap_lmtp_recipients_total',
      help: 'LMTP recipients by stage (rcpt: refused at RCPT; data: the reply after DATA) and result',
      labelNames: ['stage', 'result'],
      registers,
    }),
    messages: new Counter({ name: 'kimap_lmtp_messages_total', help: 'LMTP messages handed to the mailbox service', registers }),
    seconds: new Histogram({
      name: 'kimap_lmtp_deliver_seconds',
      help: 'Time from the end of DATA to the replies (the Deliver call)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}

/** An error reply; smtp-server adds the enhanced status code that the reply code implies (RFC 3463). */
function reply(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

export async function startDeliveryListener(opts: DeliveryListenerOptions): Promise<RunningDeliveryListener> {
  const { backend, settings, log } = opts;
  const metrics = createMetrics(opts.registry);
  let stopping = false;
  let listening = false;
  /** Deliver calls under way: a stop waits for them before the backend is closed. */
  const inFlight = new Set<Promise<unknown>>();

  const quotaReply = (address: string) =>
    settings.quotaPermanent
      ? reply(552, `<${address}> Mailbox is over quota`)
      : reply(452, `<${address}> Mailbox is over quota, try again later`);

  /** The reply for a recipient, and how it is counted. */
  function recipientReply(address: string, status: DeliveryStatus, result?: DeliveryResult): [SMTPServerDataResult | undefined, Outcome] {
    switch (status) {
      case 'DELIVERY_STATUS_OK':
        return [result ? `<${address}> Saved in ${result.mailbox}` : undefined, 'delivered'];
      case 'DELIVERY_STATUS_UNKNOWN_RECIPIENT':
        return [reply(550, `<${address}> No such user here`), 'unknown'];
      case 'DELIVERY_STATUS_OVER_QUOTA':
        return [quotaReply(address), 'over_quota'];
      default:
        return [reply(451, `<${address}> Temporary failure, try again later`), 'failed'];
    }
  }

  const declaredSize = (session: SMTPServerSession): number => {
    const args = session.envelope.mailFrom ? session.envelope.mailFrom.args : false;
    const size = args ? Number(args.SIZE) : 0;
    return Number.isSafeInteger(size) ? size : 0;
  };

  /** While tracing, an LMTP step in a span of its own, the root of its trace: never an address, only counts and outcomes. */
  const traced = <T>(step: string, session: SMTPServerSession, fn: (span?: Span) => Promise<T>): Promise<T> => {
    if (!tracing.on) return fn();
    const attributes = { 'lmtp.session_id': session.id, 'lmtp.transaction': session.transaction };
    return inSpan(`lmtp ${step}`, { kind: SpanKind.SERVER, attributes, parent: ROOT_CONTEXT }, fn);
  };

  async function deliver(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    span?: Span,
  ): Promise<SMTPServerDataResult[] | undefined> {
    const chunks: Buffer[] = [];
    // Kept only while within the limit: a larger message is read to its end and dropped (smtp-server answers 552 5.3.4).
    const complete = await new Promise<boolean>((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
        else chunks.length = 0;
      });
      stream.once('end', () => resolve(true));
      // The client went away before the final dot: nothing is stored.
      stream.once('close', () => resolve(false));
      stream.once('error', () => resolve(false));
    });
    if (!complete) {
      log.info({ session: session.id, bytes: stream.byteLength }, 'lmtp connection lost during DATA, nothing stored');
      return undefined;
    }
    if (stream.sizeExceeded) {
      metrics.recipients.inc({ stage: 'data', result: 'too_big' }, session.envelope.rcptTo.length);
      metrics.limits?.inc({ kind: 'message_too_big' });
      return undefined;
    }
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    const mailFrom = session.envelope.mailFrom;
    const trace = {
      returnPath: mailFrom ? mailFrom.address : '',
      clientName: session.hostNameAppearsAs || '',
      clientAddress: session.remoteAddress,
      receivedBy: settings.hostname,
      id: `${session.id}.${session.transaction}`,
      timeMs: Date.now(),
    };
    const started = process.hrtime.bigint();
    metrics.messages.inc();
    let results: DeliveryResult[] | undefined;
    try {
      results = await backend.deliver(Buffer.concat(chunks), recipients, trace);
    } catch (err) {
      log.error({ err, session: session.id, recipients: recipients.length }, 'delivery failed');
    }
    metrics.seconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    let delivered = 0;
    const replies = recipients.map((address, i) => {
      const r = results?.[i];
      const [answer, outcome] = recipientReply(address, r?.status ?? 'DELIVERY_STATUS_TEMPORARY_FAILURE', r);
      metrics.recipients.inc({ stage: 'data', result: outcome });
      if (outcome === 'delivered') delivered++;
      if (outcome === 'over_quota') metrics.overQuota?.inc({ protocol: 'lmtp' });
      return answer ?? `<${address}> Saved`;
    });
    span?.setAttributes({ 'lmtp.recipients': recipients.length, 'lmtp.delivered': delivered, 'lmtp.message_bytes': stream.byteLength });
    return replies;
  }

  const server = new SMTPServer({
    lmtp: true,
    name: settings.hostname,
    banner: 'kimap LMTP ready',
    size: settings.maxMessageSize,
    rejectOversized: true,
    maxRecipients: settings.maxRecipients,
    maxClients: settings.maxConnections,
    socketTimeout: settings.socketTimeoutMs,
    // LMTP is spoken by MTAs on a private network: no login, no TLS, no DSN.
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    hideSTARTTLS: true,
    hideDSN: true,
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    logger: false,

    onConnect(_session, callback) {
      callback(stopping ? reply(421, 'Shutting down, try again later') : null);
    },

    onRcptTo(address, session, callback) {
      const refuse = (outcome: Outcome, err: Error) => {
        metrics.recipients.inc({ stage: 'rcpt', result: outcome });
        if (outcome === 'over_quota') metrics.overQuota?.inc({ protocol: 'lmtp' });
        callback(err);
      };
      const at = address.address.lastIndexOf('@');
      if (at <= 0 || at === address.address.length - 1) {
        return refuse('malformed', reply(553, `<${address.address}> Recipient address must be user@domain`));
      }
      // smtp-server keeps one entry per address: a second 250 would promise a reply after DATA that never comes.
      const key = address.address.toLowerCase();
      if (session.envelope.rcptTo.some((r) => r.address.toLowerCase() === key)) {
        return refuse('duplicate', reply(503, `<${address.address}> Duplicate recipient, already accepted`));
      }
      traced('RCPT', session, async (span) => {
        const status = await backend.checkRecipient(address.address, declaredSize(session));
        span?.setAttribute('lmtp.result', status);
        return status;
      }).then(
        (status) => {
          if (status === 'DELIVERY_STATUS_OK') return callback();
          const [err, outcome] = recipientReply(address.address, status);
          refuse(outcome, err as Error);
        },
        (err: unknown) => {
          log.error({ err, session: session.id }, 'recipient check failed');
          refuse('failed', reply(451, `<${address.address}> Temporary failure, try again later`));
        },
      );
    },

    onData(stream, session, callback) {
      const running = traced('DATA', session, (span) => deliver(stream, session, span));
      inFlight.add(running);
      running.then(
        (results) => {
          inFlight.delete(running);
          if (results) callback(null, results);
          // Too big (smtp-server answers 552 5.3.4 for each recipient) or the connection is gone.
          else callback(null, 'Not stored');
        },
        (err: unknown) => {
          inFlight.delete(running);
          log.error({ err, session: session.id }, 'delivery failed');
          callback(reply(451, 'Temporary failure, try again later'));
        },
      );
    },
  });
  server.on('error', (err) => log.error({ err }, 'lmtp listener error'));
  // Each connection passes the PROXY gate before its session starts, with the client's
  // address (in the Received field) from the header when the protocol is on. The gate
  // replaces smtp-server's own acceptance, whose PROXY support (v1, and every peer not
  // listed let through without a header) does not fit.
  const gate = new ProxyGate(opts.proxy ?? PROXY_PROTOCOL_OFF, {
    listener: 'lmtp',
    log,
    ...(opts.registry && { registry: opts.registry }),
  });
  // Connections are counted as TCP accepts them (the LMTP library refuses some itself:
  // LMTP_MAX_CONNECTIONS), their bytes when they close (LMTP connections are short).
  const connections = metrics.connections;
  function counted(this: Socket): void {
    if (!connections) return;
    connections.closed('lmtp', false);
    connections.received += this.bytesRead;
    connections.sent += this.bytesWritten;
  }
  server.server.removeAllListeners('connection');
  server.server.on('connection', (socket: Socket) => {
    // Replies go out as they are ready: with Nagle's algorithm a reply written while the
    // previous one waits for its ACK is held until the client's delayed ACK (40 ms here).
    socket.setNoDelay(true);
    connections?.opened('lmtp', false);
    socket.once('close', counted);
    gate.admit(socket, (client) => server.connect(socket, { remoteAddress: client.address, remotePort: client.port }));
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', reject);
      const a = server.server.address();
      resolve(typeof a === 'object' && a ? a.port : opts.port);
    });
  });
  listening = true;

  return {
    port,
    ready: () => listening && !stopping,
    async stop(graceMs) {
      if (stopping) return;
      stopping = true;
      gate.close();
      // MTAs keep idle connections open for a few seconds; a transaction under way gets its replies first.
      server.options.closeTimeout = Math.max(1, graceMs);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
      listening = false;
    },
  };
}
