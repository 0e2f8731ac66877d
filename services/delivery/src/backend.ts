// The delivery listener's view of the mailbox service: the two delivery
// RPCs over gRPC (calls of their own: a message is one large request).
import { createMailboxClient, grpc, type MailboxServiceClient } from '@kimap/common';
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

export class GrpcDeliveryBackend implements DeliveryBackend {
  private readonly client: MailboxServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs = 30_000,
  ) {
    this.client = createMailboxClient(address);
  }

  private options(): grpc.CallOptions {
    return { deadline: Date.now() + this.deadlineMs };
  }

  checkRecipient(address: string, size: number): Promise<DeliveryStatus> {
    return new Promise((resolve, reject) => {
      this.client.checkRecipient({ address, size }, this.options(), (err, res) =>
        err || !res ? reject(err ?? new Error('no reply')) : resolve(res.status),
      );
    });
  }

  deliver(message: Buffer, recipients: string[], trace: DeliveryTrace): Promise<DeliveryResult[]> {
    return new Promise((resolve, reject) => {
      this.client.deliver({ message, recipients, trace }, this.options(), (err, res) => {
        if (err || !res) return reject(err ?? new Error('no reply'));
        if (res.results.length !== recipients.length)
          return reject(new Error(`${res.results.length} results for ${recipients.length} recipients`));
        resolve(res.results);
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
