// Original file: proto/mail/v1/mailbox.proto


export interface AccountState {
  'active'?: (boolean);
}

export interface AccountState__Output {
  'active': (boolean);
}
