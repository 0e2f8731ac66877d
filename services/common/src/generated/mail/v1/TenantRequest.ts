// Original file: proto/mail/v1/admin.proto


export interface TenantRequest {
  'domain'?: (string);
}

export interface TenantRequest__Output {
  'domain': (string);
}
