// Original file: proto/mail/v1/mailbox.proto

import type { DeliveryStatus as _mail_v1_DeliveryStatus, DeliveryStatus__Output as _mail_v1_DeliveryStatus__Output } from '../../mail/v1/DeliveryStatus.js';

export interface CheckRecipientResponse {
  'status'?: (_mail_v1_DeliveryStatus);
}

export interface CheckRecipientResponse__Output {
  'status': (_mail_v1_DeliveryStatus__Output);
}
