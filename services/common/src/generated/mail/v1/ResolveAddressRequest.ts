// Original file: proto/mail/v1/admin.proto


export interface ResolveAddressRequest {
  'address'?: (string);
}

export interface ResolveAddressRequest__Output {
  'address': (string);
}
