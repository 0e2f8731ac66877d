// Original file: proto/mail/v1/mailbox.proto

import type { DeliveryTrace as _mail_v1_DeliveryTrace, DeliveryTrace__Output as _mail_v1_DeliveryTrace__Output } from '../../mail/v1/DeliveryTrace.js';

export interface DeliverRequest {
  'message'?: (Buffer | Uint8Array | string);
  'recipients'?: (string)[];
  'trace'?: (_mail_v1_DeliveryTrace | null);
}

export interface DeliverRequest__Output {
  'message': (Buffer);
  'recipients': (string)[];
  'trace': (_mail_v1_DeliveryTrace__Output | null);
}
