// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

export interface DeliveryTrace {
  'returnPath'?: (string);
  'clientName'?: (string);
  'clientAddress'?: (string);
  'receivedBy'?: (string);
  'id'?: (string);
  'timeMs'?: (number | string | Long);
}

export interface DeliveryTrace__Output {
  'returnPath': (string);
  'clientName': (string);
  'clientAddress': (string);
  'receivedBy': (string);
  'id': (string);
  'timeMs': (number);
}
