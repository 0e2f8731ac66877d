/**
 * Mailbox commands: SELECT/EXAMINE (+CONDSTORE/QRESYNC), CREATE (+USE),
 * DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST (+LIST-EXTENDED, LIST-STATUS),
 * LSUB, STATUS.
 *
 * Mailbox names come back as sent (INBOX normalized); mUTF-7 decoding
 * depends on whether UTF8=ACCEPT is enabled, so it is left to the handler.
 */

import type { CommandParser } from '../parser.js';
import type { SequenceSet } from '../seqset.js';

export interface MailboxArgs {
  readonly mailbox: string;
}

/** DELETE, SUBSCRIBE, UNSUBSCRIBE: `SP mailbox`. */
export function parseMailboxOnly(p: CommandParser): MailboxArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  p.expectEnd();
  return { mailbox };
}

export interface RenameArgs {
  readonly from: string;
  readonly to: string;
}

export function parseRename(p: CommandParser): RenameArgs {
  p.expectSP();
  const from = p.expectMailbox();
  p.expectSP();
  const to = p.expectMailbox();
  p.expectEnd();
  return { from, to };
}

export interface CreateArgs {
  readonly mailbox: string;
  /** Special-use attributes from `(USE (\Drafts ...))` (RFC 6154), canonical case for known ones. */
  readonly specialUse: string[];
}

const USE_ATTRS = new Map(
  ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash', '\\Important'].map((a) => [a.toLowerCase(), a] as const),
);

/** `CREATE SP mailbox [SP "(" create-param *(SP create-param) ")"]`; only USE is supported. */
export function parseCreate(p: CommandParser): CreateArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  const specialUse: string[] = [];
  if (p.trySP()) {
    p.expectList(
      (q) => {
        // RFC 4466: unknown create parameters must be rejected.
        if (!q.tryKeyword('USE')) q.fail('Unsupported CREATE parameter');
        q.expectSP();
        q.expectList((r) => {
          r.expectChar('\\');
          const attr = '\\' + r.expectAtom();
          specialUse.push(USE_ATTRS.get(attr.toLowerCase()) ?? attr);
        });
      },
      { allowEmpty: false },
    );
  }
  p.expectEnd();
  return { mailbox, specialUse };
}

export interface QresyncParams {
  readonly uidValidity: number;
  readonly modSeq: bigint;
  /** UIDs the client knows about (no `*`). */
  readonly knownUids?: SequenceSet;
  /** Message sequence numbers and corresponding UIDs, for faster resync. */
  readonly seqMatch?: { readonly seqs: SequenceSet; readonly uids: SequenceSet };
}

export interface SelectArgs {
  readonly mailbox: string;
  /** True for EXAMINE. */
  readonly readOnly: boolean;
  /** `(CONDSTORE)` given (RFC 7162 §3.1.8). */
  readonly condstore: boolean;
  readonly qresync?: QresyncParams;
}

/** `SELECT/EXAMINE SP mailbox [SP "(" select-param *(SP select-param) ")"]`. */
export function parseSelect(p: CommandParser, readOnly: boolean): SelectArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  let condstore = false;
  let qresync: QresyncParams | undefined;
  if (p.trySP()) {
    p.expectList(
      (q) => {
        const name = q.expectAtom().toUpperCase();
        if (name === 'CONDSTORE') condstore = true;
        else if (name === 'QRESYNC') {
          if (qresync) q.fail('Duplicate QRESYNC parameter');
          q.expectSP();
          qresync = parseQresync(q);
        } else q.fail(`Unsupported SELECT parameter ${name.slice(0, 40)}`);
      },
      { allowEmpty: false },
    );
  }
  p.expectEnd();
  return { mailbox, readOnly, condstore, ...(qresync && { qresync }) };
}

/** `"(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"` (RFC 7162 §3.2.5). */
function parseQresync(p: CommandParser): QresyncParams {
  p.expectChar('(');
  const uidValidity = p.expectNzNumber();
  p.expectSP();
  const modSeq = p.expectNumber64();
  let knownUids: SequenceSet | undefined;
  let seqMatch: QresyncParams['seqMatch'];
  if (p.trySP()) {
    if (p.peek() !== 0x28 /* ( */) {
      knownUids = noStar(p, p.expectSequenceSet());
      if (p.trySP()) seqMatch = parseSeqMatch(p);
    } else {
      seqMatch = parseSeqMatch(p);
    }
  }
  p.expectChar(')');
  return { uidValidity, modSeq, ...(knownUids && { knownUids }), ...(seqMatch && { seqMatch }) };
}

/** `seq-match-data = "(" known-sequence-set SP known-uid-set ")"`. */
function parseSeqMatch(p: CommandParser): NonNullable<QresyncParams['seqMatch']> {
  p.expectChar('(');
  const seqs = noStar(p, p.expectSequenceSet());
  p.expectSP();
  const uids = noStar(p, p.expectSequenceSet());
  p.expectChar(')');
  return { seqs, uids };
}

function noStar(p: CommandParser, set: SequenceSet): SequenceSet {
  if (set.hasStar || set.searchResult) p.fail('"*" and "$" are not allowed in QRESYNC parameters');
  return set;
}

export type StatusItem =
  | 'MESSAGES'
  | 'UIDNEXT'
  | 'UIDVALIDITY'
  | 'UNSEEN'
  | 'DELETED'
  | 'SIZE'
  | 'RECENT'
  | 'HIGHESTMODSEQ'
  | 'APPENDLIMIT'
  | 'MAILBOXID';

const STATUS_ITEMS: ReadonlySet<string> = new Set<StatusItem>([
  'MESSAGES',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'DELETED',
  'SIZE',
  'RECENT',
  'HIGHESTMODSEQ',
  'APPENDLIMIT',
  'MAILBOXID',
]);

/** `"(" status-att *(SP status-att) ")"`. */
export function parseStatusItems(p: CommandParser): StatusItem[] {
  return p.expectList(
    (q) => {
      const item = q.expectAtom().toUpperCase();
      if (!STATUS_ITEMS.has(item)) q.fail(`Unknown STATUS item ${item.slice(0, 40)}`);
      return item as StatusItem;
    },
    { allowEmpty: false },
  );
}

export interface StatusArgs {
  readonly mailbox: string;
  readonly items: StatusItem[];
}

export function parseStatus(p: CommandParser): StatusArgs {
  p.expectSP();
  const mailbox = p.expectMailbox();
  p.expectSP();
  const items = parseStatusItems(p);
  p.expectEnd();
  return { mailbox, items };
}

export type ListSelectOption = 'SUBSCRIBED' | 'REMOTE' | 'RECURSIVEMATCH' | 'SPECIAL-USE';
export type ListReturnOption = 'SUBSCRIBED' | 'CHILDREN' | 'SPECIAL-USE' | 'STATUS' | 'MYRIGHTS';

const SELECT_OPTIONS: ReadonlySet<string> = new Set<ListSelectOption>(['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE']);
const RETURN_OPTIONS: ReadonlySet<string> = new Set<ListReturnOption>(['SUBSCRIBED', 'CHILDREN', 'SPECIAL-USE', 'STATUS', 'MYRIGHTS']);

export interface ListArgs {
  /** Reference name (often ""). Not INBOX-normalized: it is a prefix, not a mailbox. */
  readonly reference: string;
  /** One pattern for basic LIST; one or more with LIST-EXTENDED `(p1 p2)`. May contain `%` / `*`. */
  readonly patterns: string[];
  readonly selectOptions: ListSelectOption[];
  readonly returnOptions: ListReturnOption[];
  /** Items of `RETURN (STATUS (...))` (RFC 5819), when requested. */
  readonly statusItems?: StatusItem[];
  /** True if any LIST-EXTENDED syntax was used (the response format differs slightly). */
  readonly extended: boolean;
}

/** `LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]` (RFC 5258). */
export function parseList(p: CommandParser): ListArgs {
  p.expectSP();
  let extended = false;
  const selectOptions: ListSelectOption[] = [];
  if (p.peek() === 0x28) {
    extended = true;
    p.expectList((q) => {
      const opt = q.expectAtom().toUpperCase();
      if (!SELECT_OPTIONS.has(opt)) q.fail(`Unsupported LIST selection option ${opt.slice(0, 40)}`);
      selectOptions.push(opt as ListSelectOption);
    });
    // RFC 5258 §3.1: RECURSIVEMATCH needs another selection option to act on.
    if (selectOptions.includes('RECURSIVEMATCH') && selectOptions.every((o) => o === 'RECURSIVEMATCH' || o === 'REMOTE')) {
      p.fail('RECURSIVEMATCH requires another selection option');
    }
    p.expectSP();
  }
  const reference = p.expectAstring();
  p.expectSP();
  let patterns: string[];
  if (p.peek() === 0x28) {
    extended = true;
    patterns = p.expectList((q) => q.expectListMailbox(), { allowEmpty: false });
  } else {
    patterns = [p.expectListMailbox()];
  }
  const returnOptions: ListReturnOption[] = [];
  let statusItems: StatusItem[] | undefined;
  if (p.trySP()) {
    extended = true;
    if (!p.tryKeyword('RETURN')) p.fail('Expected RETURN');
    p.expectSP();
    p.expectList((q) => {
      const opt = q.expectAtom().toUpperCase();
      if (!RETURN_OPTIONS.has(opt)) q.fail(`Unsupported LIST return option ${opt.slice(0, 40)}`);
      returnOptions.push(opt as ListReturnOption);
      if (opt === 'STATUS') {
        q.expectSP();
        statusItems = parseStatusItems(q);
      }
    });
  }
  p.expectEnd();
  return { reference, patterns, selectOptions, returnOptions, ...(statusItems && { statusItems }), extended };
}

export interface LsubArgs {
  readonly reference: string;
  readonly pattern: string;
}

/** `LSUB SP mailbox SP list-mailbox` (RFC 3501; deprecated in 9051 but still used). */
export function parseLsub(p: CommandParser): LsubArgs {
  p.expectSP();
  const reference = p.expectAstring();
  p.expectSP();
  const pattern = p.expectListMailbox();
  p.expectEnd();
  return { reference, pattern };
}
