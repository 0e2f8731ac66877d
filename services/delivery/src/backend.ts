// The delivery listener's view of the mailbox service: the two delivery RPCs
// over gRPC. Recipient checks and small messages go over one long-lived
// stream (rpc Multiplex, as the edge's calls do: a gRPC call of its own costs
// both sides several times more CPU); a big message gets a call of its own,
// so that it holds no other call up behind it.
import {
  createMailboxClient,
  grpc,
  grpcMetadata,
  loadMailProto,
  MuxClient,
  traceClientCall,
  tracing,
  type MailboxServiceClient,
  type RpcMetrics,
  type TraceHeaders,
} from '@kimap/common';
import type { CheckRecipientResponse__Output } from '@kimap/common/generated/mail/v1/CheckRecipientResponse';
import type { DeliverRequest } from '@kimap/common/generated/mail/v1/DeliverRequest';
import type { DeliverResponse__Output } from '@kimap/common/generated/mail/v1/DeliverResponse';
import type { DeliveryResult__Output } from '@kimap/common/generated/mail/v1/DeliveryResult';
import type { DeliveryStatus__Output } from '@kimap/common/generated/mail/v1/DeliveryStatus';
import type { DeliveryTrace } from '@kimap/common/generated/mail/v1/DeliveryTrace';

export type DeliveryStatus = DeliveryStatus__Output;
export type DeliveryResult = DeliveryResult__Output;

export interface DeliveryBackend {
  /** Whether an address takes a message of `size` bytes (0: not known) now. */
  checkRecipient(address: string, size: number): Promise<DeliveryStatus>;
  /** Stores a message for its recipients; one result each, in order. */
  deliver(message: Buffer, recipients: string[], trace: DeliveryTrace): Promise<DeliveryResult[]>;
  close(): void;
}

/** A message bigger than this goes as a call of its own rather than over the shared stream. */
const MUX_MAX_MESSAGE_BYTES = 256 * 1024;

export class GrpcDeliveryBackend implements DeliveryBackend {
  private readonly client: MailboxServiceClient;
  private readonly mux: MuxClient;

  constructor(
    address: string,
    private readonly deadlineMs = 30_000,
    /** Times every call (kimap_grpc_client_duration_seconds). */
    private readonly metrics?: RpcMetrics,
  ) {
    this.client = createMailboxClient(address);
    this.mux = new MuxClient(() => this.client.Multiplex(), loadMailProto().mail.v1.MailboxService.service, undefined, metrics);
  }

  /** A call of its own. */
  private call<Res>(
    method: string,
    start: (opts: grpc.CallOptions, done: (err: grpc.ServiceError | null, res?: Res) => void) => void,
  ): Promise<Res> {
    const started = this.metrics ? performance.now() : 0;
    return new Promise((resolve, reject) =>
      start({ deadline: Date.now() + this.deadlineMs }, (err, res) => {
        this.metrics?.observe(method, err ? err.code : grpc.status.OK, (performance.now() - started) / 1000);
        if (err) reject(err);
        else if (res) resolve(res);
        else reject(new Error('no reply'));
      }),
    );
  }

  /** While tracing, a client span around the call, whose context goes along with it. */
  private traced<Res>(method: string, multiplexed: boolean, call: (headers?: TraceHeaders) => Promise<Res>): Promise<Res> {
    return tracing.on ? traceClientCall('mail.v1.MailboxService', method, multiplexed, call) : call();
  }

  async checkRecipient(address: string, size: number): Promise<DeliveryStatus> {
    const req = { address, size };
    const own = this.mux.unsupported;
    const res = await this.traced('CheckRecipient', !own, (headers) =>
      own
        ? this.call<CheckRecipientResponse__Output>('CheckRecipient', (opts, done) =>
            this.client.checkRecipient(req, grpcMetadata(headers), opts, done),
          )
        : this.mux.unary<CheckRecipientResponse__Output>('CheckRecipient', req, this.deadlineMs, headers),
    );
    return res.status;
  }

  async deliver(message: Buffer, recipients: string[], trace: DeliveryTrace): Promise<DeliveryResult[]> {
    const req: DeliverRequest = { message, recipients, trace };
    const own = this.mux.unsupported || message.length > MUX_MAX_MESSAGE_BYTES;
    const res = await this.traced('Deliver', !own, (headers) =>
      own
        ? this.call<DeliverResponse__Output>('Deliver', (opts, done) => this.client.deliver(req, grpcMetadata(headers), opts, done))
        : this.mux.unary<DeliverResponse__Output>('Deliver', req, this.deadlineMs, headers),
    );
    if (res.results.length !== recipients.length) throw new Error(`${res.results.length} results for ${recipients.length} recipients`);
    return res.results;
  }

  close(): void {
    this.client.close();
  }
}
