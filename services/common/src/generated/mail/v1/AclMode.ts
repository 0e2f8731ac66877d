// Original file: proto/mail/v1/mailbox.proto

export const AclMode = {
  ACL_MODE_UNSPECIFIED: 'ACL_MODE_UNSPECIFIED',
  ACL_MODE_REPLACE: 'ACL_MODE_REPLACE',
  ACL_MODE_ADD: 'ACL_MODE_ADD',
  ACL_MODE_REMOVE: 'ACL_MODE_REMOVE',
  ACL_MODE_DELETE: 'ACL_MODE_DELETE',
} as const;

export type AclMode =
  | 'ACL_MODE_UNSPECIFIED'
  | 0
  | 'ACL_MODE_REPLACE'
  | 1
  | 'ACL_MODE_ADD'
  | 2
  | 'ACL_MODE_REMOVE'
  | 3
  | 'ACL_MODE_DELETE'
  | 4

export type AclMode__Output = typeof AclMode[keyof typeof AclMode]
