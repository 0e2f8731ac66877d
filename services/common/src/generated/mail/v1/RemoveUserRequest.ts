// Original file: proto/mail/v1/admin.proto


export interface RemoveUserRequest {
  'address'?: (string);
  'force'?: (boolean);
}

export interface RemoveUserRequest__Output {
  'address': (string);
  'force': (boolean);
}
