// Original file: proto/mail/v1/mailbox.proto


export interface AuthenticateRequest {
  'username'?: (string);
  'password'?: (string);
  'remoteIp'?: (string);
}

export interface AuthenticateRequest__Output {
  'username': (string);
  'password': (string);
  'remoteIp': (string);
}
