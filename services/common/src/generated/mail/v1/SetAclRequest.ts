// Original file: proto/mail/v1/mailbox.proto

import type { AccountRef as _mail_v1_AccountRef, AccountRef__Output as _mail_v1_AccountRef__Output } from '../../mail/v1/AccountRef.js';
import type { AclMode as _mail_v1_AclMode, AclMode__Output as _mail_v1_AclMode__Output } from '../../mail/v1/AclMode.js';

export interface SetAclRequest {
  'account'?: (_mail_v1_AccountRef | null);
  'owner'?: (string);
  'name'?: (string);
  'identifier'?: (string);
  'rights'?: (string);
  'mode'?: (_mail_v1_AclMode);
}

export interface SetAclRequest__Output {
  'account': (_mail_v1_AccountRef__Output | null);
  'owner': (string);
  'name': (string);
  'identifier': (string);
  'rights': (string);
  'mode': (_mail_v1_AclMode__Output);
}
