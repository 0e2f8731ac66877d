// Original file: proto/mail/v1/admin.proto


export interface AddTenantRequest {
  'domain'?: (string);
}

export interface AddTenantRequest__Output {
  'domain': (string);
}
