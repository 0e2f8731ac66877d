// Original file: proto/mail/v1/admin.proto


export interface UserRequest {
  'address'?: (string);
}

export interface UserRequest__Output {
  'address': (string);
}
