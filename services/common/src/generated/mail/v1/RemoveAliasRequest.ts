// Original file: proto/mail/v1/admin.proto


export interface RemoveAliasRequest {
  'address'?: (string);
}

export interface RemoveAliasRequest__Output {
  'address': (string);
}
