// Original file: proto/mail/v1/mailbox.proto

export const StoreMode = {
  STORE_MODE_UNSPECIFIED: 'STORE_MODE_UNSPECIFIED',
  STORE_MODE_REPLACE: 'STORE_MODE_REPLACE',
  STORE_MODE_ADD: 'STORE_MODE_ADD',
  STORE_MODE_REMOVE: 'STORE_MODE_REMOVE',
} as const;

export type StoreMode =
  | 'STORE_MODE_UNSPECIFIED'
  | 0
  | 'STORE_MODE_REPLACE'
  | 1
  | 'STORE_MODE_ADD'
  | 2
  | 'STORE_MODE_REMOVE'
  | 3

export type StoreMode__Output = typeof StoreMode[keyof typeof StoreMode]
