/**
 * Message commands: FETCH, STORE, COPY, MOVE, UID EXPUNGE (and their UID
 * forms). The `uid` flag tells the handler whether the set holds UIDs.
 */

import { parseFetchAttributes, type FetchItem, type FetchMacro } from '../fetch.js';
import type { CommandParser } from '../parser.js';
import type { SequenceSet } from '../seqset.js';

export interface FetchArgs {
  readonly uid: boolean;
  readonly sequenceSet: SequenceSet;
  /**
   * Requested items, macros expanded. Items the protocol makes implicit are
   * added: UID for UID FETCH (RFC 9051 §6.4.9), MODSEQ with CHANGEDSINCE
   * (RFC 7162 §3.1.4.1).
   */
  readonly items: FetchItem[];
  readonly macro?: FetchMacro;
  /** `(CHANGEDSINCE n)` modifier. */
  readonly changedSince?: bigint;
  /** `(VANISHED)` modifier (QRESYNC; only valid with UID FETCH and CHANGEDSINCE). */
  readonly vanished: boolean;
}

/** `FETCH SP sequence-set SP (macro / fetch-att / "(" fetch-att *(SP fetch-att) ")") [SP fetch-modifiers]`. */
export function parseFetch(p: CommandParser, uid: boolean): FetchArgs {
  p.expectSP();
  const sequenceSet = p.expectSequenceSet();
  p.expectSP();
  const { items, macro } = parseFetchAttributes(p);
  let changedSince: bigint | undefined;
  let vanished = false;
  if (p.trySP()) {
    p.expectList(
      (q) => {
        if (q.tryKeyword('CHANGEDSINCE')) {
          q.expectSP();
          changedSince = q.expectNumber64();
        } else if (q.tryKeyword('VANISHED')) {
          vanished = true;
        } else {
          q.fail('Unsupported FETCH modifier');
        }
      },
      { allowEmpty: false },
    );
  }
  p.expectEnd();
  // RFC 7162 §3.2.6: VANISHED is only valid in UID FETCH together with CHANGEDSINCE.
  if (vanished && (!uid || changedSince === undefined)) p.fail('VANISHED requires UID FETCH with CHANGEDSINCE');
  if (uid && !items.some((i) => i.kind === 'uid')) items.unshift({ kind: 'uid' });
  if (changedSince !== undefined && !items.some((i) => i.kind === 'modseq')) items.push({ kind: 'modseq' });
  return { uid, sequenceSet, items, ...(macro && { macro }), ...(changedSince !== undefined && { changedSince }), vanished };
}

export type StoreAction = 'set' | 'add' | 'remove';

export interface StoreArgs {
  readonly uid: boolean;
  readonly sequenceSet: SequenceSet;
  /** FLAGS / +FLAGS / -FLAGS. */
  readonly action: StoreAction;
  /** `.SILENT`: do not send untagged FETCH for the change (except for UNCHANGEDSINCE conflicts). */
  readonly silent: boolean;
  readonly flags: string[];
  /** `(UNCHANGEDSINCE n)` modifier (CONDSTORE). */
  readonly unchangedSince?: bigint;
}

/**
 * `STORE SP sequence-set [SP store-modifiers] SP store-att-flags`,
 * store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag))).
 */
export function parseStore(p: CommandParser, uid: boolean): StoreArgs {
  p.expectSP();
  const sequenceSet = p.expectSequenceSet();
  p.expectSP();
  let unchangedSince: bigint | undefined;
  if (p.peek() === 0x28 /* ( */) {
    p.expectList(
      (q) => {
        if (!q.tryKeyword('UNCHANGEDSINCE')) q.fail('Unsupported STORE modifier');
        q.expectSP();
        unchangedSince = q.expectNumber64();
      },
      { allowEmpty: false },
    );
    p.expectSP();
  }
  const action: StoreAction = p.tryChar('+') ? 'add' : p.tryChar('-') ? 'remove' : 'set';
  const item = p.expectAtom().toUpperCase();
  if (item !== 'FLAGS' && item !== 'FLAGS.SILENT') p.fail('Expected FLAGS, +FLAGS or -FLAGS');
  p.expectSP();
  let flags: string[];
  if (p.peek() === 0x28) {
    flags = p.expectFlagList();
  } else {
    flags = [p.expectFlag()];
    while (p.trySP()) flags.push(p.expectFlag());
  }
  p.expectEnd();
  return { uid, sequenceSet, action, silent: item === 'FLAGS.SILENT', flags, ...(unchangedSince !== undefined && { unchangedSince }) };
}

export interface CopyArgs {
  readonly uid: boolean;
  readonly sequenceSet: SequenceSet;
  readonly mailbox: string;
}

/** COPY and MOVE: `SP sequence-set SP mailbox`. */
export function parseCopy(p: CommandParser, uid: boolean): CopyArgs {
  p.expectSP();
  const sequenceSet = p.expectSequenceSet();
  p.expectSP();
  const mailbox = p.expectMailbox();
  p.expectEnd();
  return { uid, sequenceSet, mailbox };
}

export interface UidExpungeArgs {
  readonly sequenceSet: SequenceSet;
}

/** `UID EXPUNGE SP sequence-set` (RFC 4315 / RFC 9051). */
export function parseUidExpunge(p: CommandParser): UidExpungeArgs {
  p.expectSP();
  const sequenceSet = p.expectSequenceSet();
  p.expectEnd();
  return { sequenceSet };
}
