// Original file: proto/mail/v1/mailbox.proto


export interface UidRuns {
  'first'?: (number)[];
  'last'?: (number)[];
}

export interface UidRuns__Output {
  'first': (number)[];
  'last': (number)[];
}
