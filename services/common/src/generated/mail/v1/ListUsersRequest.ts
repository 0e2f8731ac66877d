// Original file: proto/mail/v1/admin.proto


export interface ListUsersRequest {
  'domain'?: (string);
  'pageToken'?: (string);
  'pageSize'?: (number);
}

export interface ListUsersRequest__Output {
  'domain': (string);
  'pageToken': (string);
  'pageSize': (number);
}
