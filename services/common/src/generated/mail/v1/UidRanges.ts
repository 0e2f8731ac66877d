// Original file: proto/mail/v1/mailbox.proto

import type { UidRange as _mail_v1_UidRange, UidRange__Output as _mail_v1_UidRange__Output } from '../../mail/v1/UidRange.js';

export interface UidRanges {
  'ranges'?: (_mail_v1_UidRange)[];
}

export interface UidRanges__Output {
  'ranges': (_mail_v1_UidRange__Output)[];
}
