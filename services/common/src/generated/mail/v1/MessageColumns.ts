// Original file: proto/mail/v1/mailbox.proto


export interface MessageColumns {
  'count'?: (number);
  'uids'?: (Buffer | Uint8Array | string);
  'modseqs'?: (Buffer | Uint8Array | string);
  'internalDatesMs'?: (Buffer | Uint8Array | string);
  'sizes'?: (Buffer | Uint8Array | string);
  'flags'?: (string);
}

export interface MessageColumns__Output {
  'count': (number);
  'uids': (Buffer);
  'modseqs': (Buffer);
  'internalDatesMs': (Buffer);
  'sizes': (Buffer);
  'flags': (string);
}
