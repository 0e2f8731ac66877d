// Original file: proto/mail/v1/admin.proto


export interface AddUserRequest {
  'address'?: (string);
  'password'?: (string);
}

export interface AddUserRequest__Output {
  'address': (string);
  'password': (string);
}
