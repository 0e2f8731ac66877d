// Original file: proto/mail/v1/mailbox.proto


export interface SetAclResponse {
  'rights'?: (string);
}

export interface SetAclResponse__Output {
  'rights': (string);
}
