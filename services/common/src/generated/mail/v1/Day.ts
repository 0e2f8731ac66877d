// Original file: proto/mail/v1/mailbox.proto


export interface Day {
  'year'?: (number);
  'month'?: (number);
  'day'?: (number);
}

export interface Day__Output {
  'year': (number);
  'month': (number);
  'day': (number);
}
