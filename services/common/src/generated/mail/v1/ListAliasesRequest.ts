// Original file: proto/mail/v1/admin.proto


export interface ListAliasesRequest {
  'domain'?: (string);
  'target'?: (string);
  'pageToken'?: (string);
  'pageSize'?: (number);
}

export interface ListAliasesRequest__Output {
  'domain': (string);
  'target': (string);
  'pageToken': (string);
  'pageSize': (number);
}
