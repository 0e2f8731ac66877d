// Original file: proto/mail/v1/mailbox.proto

import type { Long } from '@grpc/proto-loader';

// Original file: proto/mail/v1/mailbox.proto

export const _mail_v1_MuxFrame_Kind = {
  KIND_UNSPECIFIED: 'KIND_UNSPECIFIED',
  KIND_REQUEST: 'KIND_REQUEST',
  KIND_MESSAGE: 'KIND_MESSAGE',
  KIND_END: 'KIND_END',
  KIND_ERROR: 'KIND_ERROR',
  KIND_CANCEL: 'KIND_CANCEL',
  KIND_CREDIT: 'KIND_CREDIT',
  KIND_GOAWAY: 'KIND_GOAWAY',
} as const;

export type _mail_v1_MuxFrame_Kind =
  | 'KIND_UNSPECIFIED'
  | 0
  | 'KIND_REQUEST'
  | 1
  | 'KIND_MESSAGE'
  | 2
  | 'KIND_END'
  | 3
  | 'KIND_ERROR'
  | 4
  | 'KIND_CANCEL'
  | 5
  | 'KIND_CREDIT'
  | 6
  | 'KIND_GOAWAY'
  | 7

export type _mail_v1_MuxFrame_Kind__Output = typeof _mail_v1_MuxFrame_Kind[keyof typeof _mail_v1_MuxFrame_Kind]

export interface MuxFrame {
  'id'?: (number | string | Long);
  'kind'?: (_mail_v1_MuxFrame_Kind);
  'method'?: (string);
  'payload'?: (Buffer | Uint8Array | string);
  'code'?: (number);
  'details'?: (string);
  'imapCode'?: (string);
  'metadata'?: ({[key: string]: string});
}

export interface MuxFrame__Output {
  'id': (number);
  'kind': (_mail_v1_MuxFrame_Kind__Output);
  'method': (string);
  'payload': (Buffer);
  'code': (number);
  'details': (string);
  'imapCode': (string);
  'metadata': ({[key: string]: string});
}
