// Original file: proto/mail/v1/admin.proto


export interface SetPasswordRequest {
  'address'?: (string);
  'password'?: (string);
}

export interface SetPasswordRequest__Output {
  'address': (string);
  'password': (string);
}
