// Original file: proto/mail/v1/admin.proto

import type { TenantInfo as _mail_v1_TenantInfo, TenantInfo__Output as _mail_v1_TenantInfo__Output } from '../../mail/v1/TenantInfo.js';

export interface ListTenantsResponse {
  'tenants'?: (_mail_v1_TenantInfo)[];
  'nextPageToken'?: (string);
}

export interface ListTenantsResponse__Output {
  'tenants': (_mail_v1_TenantInfo__Output)[];
  'nextPageToken': (string);
}
