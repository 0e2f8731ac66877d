// Original file: proto/mail/v1/mailbox.proto


export interface HeaderMatch {
  'field'?: (string);
  'value'?: (string);
}

export interface HeaderMatch__Output {
  'field': (string);
  'value': (string);
}
