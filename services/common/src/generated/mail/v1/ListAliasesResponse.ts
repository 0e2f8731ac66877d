// Original file: proto/mail/v1/admin.proto

import type { AliasInfo as _mail_v1_AliasInfo, AliasInfo__Output as _mail_v1_AliasInfo__Output } from '../../mail/v1/AliasInfo.js';

export interface ListAliasesResponse {
  'aliases'?: (_mail_v1_AliasInfo)[];
  'nextPageToken'?: (string);
}

export interface ListAliasesResponse__Output {
  'aliases': (_mail_v1_AliasInfo__Output)[];
  'nextPageToken': (string);
}
