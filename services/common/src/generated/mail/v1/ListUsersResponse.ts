// Original file: proto/mail/v1/admin.proto

import type { UserInfo as _mail_v1_UserInfo, UserInfo__Output as _mail_v1_UserInfo__Output } from '../../mail/v1/UserInfo.js';

export interface ListUsersResponse {
  'users'?: (_mail_v1_UserInfo)[];
  'nextPageToken'?: (string);
}

export interface ListUsersResponse__Output {
  'users': (_mail_v1_UserInfo__Output)[];
  'nextPageToken': (string);
}
