// Original file: proto/mail/v1/admin.proto


export interface AddAliasRequest {
  'address'?: (string);
  'target'?: (string);
}

export interface AddAliasRequest__Output {
  'address': (string);
  'target': (string);
}
