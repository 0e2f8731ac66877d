/**
 * Public API of the IMAP protocol layer: pure framing, parsing and
 * encoding, no I/O. See receiver.ts (framing), parser.ts + commands/
 * (arguments), encoder.ts (responses).
 */

export * from './errors.js';
export * from './types.js';
export { isAtom, isAstringAtom, isTag } from './chars.js';
export * from './receiver.js';
export * from './parser.js';
export * from './fetch.js';
export * from './datetime.js';
export * from './seqset.js';
export * from './mutf7.js';
export * from './encoder.js';
export * from './commands/index.js';
