// Original file: proto/mail/v1/admin.proto


export interface ListTenantsRequest {
  'pageToken'?: (string);
  'pageSize'?: (number);
}

export interface ListTenantsRequest__Output {
  'pageToken': (string);
  'pageSize': (number);
}
