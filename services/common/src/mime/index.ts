// The MIME layer for IMAP FETCH: parse once when a message is stored (the
// result is plain JSON), render ENVELOPE / BODY / BODYSTRUCTURE, cut
// BODY[section] and BINARY[section] out of the raw bytes, and give search
// its text. Dovecot is the reference for how malformed mail is shown.
export * from './types.js';
export { parseMessage } from './parser.js';
export { envelope, envelopeOf, emptyEnvelope } from './envelope.js';
export { parseAddressList } from './address.js';
export { formatEnvelope, formatBodyStructure, type QuoteOptions } from './format.js';
export { nstring, nstringNoLf, humanString } from './quote.js';
export { findPart, sectionRange, sectionBytes, headerFields, type SectionText, type ByteRange } from './section.js';
export { decodePart, binarySize, UnknownCteError } from './binary.js';
export { binaryPartsToBase64 } from './binary-store.js';
export {
  searchText,
  headerSearchText,
  addressSearchText,
  partText,
  htmlToText,
  type SearchText,
  type SearchTextOptions,
} from './search.js';
export { withHeaderPrefix } from './prefix.js';
export { decodeEncodedWords, decodeCharset } from './charset.js';
export { decodeRfc2231, paramText } from './params.js';
export { decodeBase64, decodeQuotedPrintable } from './codec.js';
export { toCrlf, hasBareLf } from './bytes.js';
export { parseHeaderBlock, fieldValue, type HeaderField } from './header.js';
