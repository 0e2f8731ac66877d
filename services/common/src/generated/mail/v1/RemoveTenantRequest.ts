// Original file: proto/mail/v1/admin.proto


export interface RemoveTenantRequest {
  'domain'?: (string);
  'force'?: (boolean);
}

export interface RemoveTenantRequest__Output {
  'domain': (string);
  'force': (boolean);
}
