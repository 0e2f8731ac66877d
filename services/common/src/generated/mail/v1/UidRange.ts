// Original file: proto/mail/v1/mailbox.proto


export interface UidRange {
  'first'?: (number);
  'last'?: (number);
}

export interface UidRange__Output {
  'first': (number);
  'last': (number);
}
