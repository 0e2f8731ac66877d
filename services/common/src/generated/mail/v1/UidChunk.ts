// Original file: proto/mail/v1/mailbox.proto


export interface UidChunk {
  'uids'?: (number)[];
}

export interface UidChunk__Output {
  'uids': (number)[];
}
