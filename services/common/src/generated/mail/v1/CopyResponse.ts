// Original file: proto/mail/v1/mailbox.proto


export interface CopyResponse {
  'uidvalidity'?: (number);
  'sourceUids'?: (number)[];
  'destinationUids'?: (number)[];
}

export interface CopyResponse__Output {
  'uidvalidity': (number);
  'sourceUids': (number)[];
  'destinationUids': (number)[];
}
