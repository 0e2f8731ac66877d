// Original file: proto/mail/v1/mailbox.proto

import type { AclEntry as _mail_v1_AclEntry, AclEntry__Output as _mail_v1_AclEntry__Output } from '../../mail/v1/AclEntry.js';

export interface AclResponse {
  'owner'?: (string);
  'myRights'?: (string);
  'entries'?: (_mail_v1_AclEntry)[];
}

export interface AclResponse__Output {
  'owner': (string);
  'myRights': (string);
  'entries': (_mail_v1_AclEntry__Output)[];
}
