// Original file: proto/mail/v1/mailbox.proto


export interface AclEntry {
  'identifier'?: (string);
  'rights'?: (string);
}

export interface AclEntry__Output {
  'identifier': (string);
  'rights': (string);
}
