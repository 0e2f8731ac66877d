// Original file: proto/mail/v1/mailbox.proto

import type { SearchKeys as _mail_v1_SearchKeys, SearchKeys__Output as _mail_v1_SearchKeys__Output } from '../../mail/v1/SearchKeys.js';
import type { SearchKey as _mail_v1_SearchKey, SearchKey__Output as _mail_v1_SearchKey__Output } from '../../mail/v1/SearchKey.js';
import type { UidRanges as _mail_v1_UidRanges, UidRanges__Output as _mail_v1_UidRanges__Output } from '../../mail/v1/UidRanges.js';
import type { HeaderMatch as _mail_v1_HeaderMatch, HeaderMatch__Output as _mail_v1_HeaderMatch__Output } from '../../mail/v1/HeaderMatch.js';
import type { Day as _mail_v1_Day, Day__Output as _mail_v1_Day__Output } from '../../mail/v1/Day.js';
import type { Long } from '@grpc/proto-loader';

export interface SearchKey {
  'all'?: (boolean);
  'none'?: (boolean);
  'and'?: (_mail_v1_SearchKeys | null);
  'or'?: (_mail_v1_SearchKeys | null);
  'not'?: (_mail_v1_SearchKey | null);
  'uids'?: (_mail_v1_UidRanges | null);
  'flag'?: (string);
  'header'?: (_mail_v1_HeaderMatch | null);
  'body'?: (string);
  'text'?: (string);
  'before'?: (_mail_v1_Day | null);
  'on'?: (_mail_v1_Day | null);
  'since'?: (_mail_v1_Day | null);
  'sentBefore'?: (_mail_v1_Day | null);
  'sentOn'?: (_mail_v1_Day | null);
  'sentSince'?: (_mail_v1_Day | null);
  'larger'?: (number | string | Long);
  'smaller'?: (number | string | Long);
  'modseq'?: (number | string | Long);
  'older'?: (number);
  'younger'?: (number);
  'key'?: "all"|"none"|"and"|"or"|"not"|"uids"|"flag"|"header"|"body"|"text"|"before"|"on"|"since"|"sentBefore"|"sentOn"|"sentSince"|"larger"|"smaller"|"modseq"|"older"|"younger";
}

export interface SearchKey__Output {
  'all'?: (boolean);
  'none'?: (boolean);
  'and'?: (_mail_v1_SearchKeys__Output | null);
  'or'?: (_mail_v1_SearchKeys__Output | null);
  'not'?: (_mail_v1_SearchKey__Output | null);
  'uids'?: (_mail_v1_UidRanges__Output | null);
  'flag'?: (string);
  'header'?: (_mail_v1_HeaderMatch__Output | null);
  'body'?: (string);
  'text'?: (string);
  'before'?: (_mail_v1_Day__Output | null);
  'on'?: (_mail_v1_Day__Output | null);
  'since'?: (_mail_v1_Day__Output | null);
  'sentBefore'?: (_mail_v1_Day__Output | null);
  'sentOn'?: (_mail_v1_Day__Output | null);
  'sentSince'?: (_mail_v1_Day__Output | null);
  'larger'?: (number);
  'smaller'?: (number);
  'modseq'?: (number);
  'older'?: (number);
  'younger'?: (number);
  'key'?: "all"|"none"|"and"|"or"|"not"|"uids"|"flag"|"header"|"body"|"text"|"before"|"on"|"since"|"sentBefore"|"sentOn"|"sentSince"|"larger"|"smaller"|"modseq"|"older"|"younger";
}
