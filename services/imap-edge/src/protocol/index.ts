/**
 * Public API of the IMAP protocol layer: pure framing, parsing and
 * encoding, no I/O: receiver.ts (framing, limits), parser.ts (the
 * primitives a command's parser is built from), encoder.ts (responses),
 * sequence sets, modified UTF-7, date-time. Commands live in ../commands/.
 */

export * from './errors.js';
export * from './types.js';
export { isAtom, isAstringAtom, isTag } from './chars.js';
export * from './receiver.js';
export * from './parser.js';
export * from './datetime.js';
export * from './seqset.js';
export * from './mutf7.js';
export * from './encoder.js';
