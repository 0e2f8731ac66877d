// Original file: proto/mail/v1/mailbox.proto

import type { DeliveryResult as _mail_v1_DeliveryResult, DeliveryResult__Output as _mail_v1_DeliveryResult__Output } from '../../mail/v1/DeliveryResult.js';

export interface DeliverResponse {
  'results'?: (_mail_v1_DeliveryResult)[];
}

export interface DeliverResponse__Output {
  'results': (_mail_v1_DeliveryResult__Output)[];
}
