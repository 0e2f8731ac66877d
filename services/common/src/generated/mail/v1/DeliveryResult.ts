// Original file: proto/mail/v1/mailbox.proto

import type { DeliveryStatus as _mail_v1_DeliveryStatus, DeliveryStatus__Output as _mail_v1_DeliveryStatus__Output } from '../../mail/v1/DeliveryStatus.js';

export interface DeliveryResult {
  'status'?: (_mail_v1_DeliveryStatus);
  'mailbox'?: (string);
  'uid'?: (number);
}

export interface DeliveryResult__Output {
  'status': (_mail_v1_DeliveryStatus__Output);
  'mailbox': (string);
  'uid': (number);
}
