// A message with header fields put in front of it (delivery's Return-Path and
// Received), without parsing it again: complete header lines at the start
// only lengthen the top-level header, so every other offset moves by their
// length and nothing else changes (the header ends at the first blank line,
// and no boundary is active in the top-level header).
import type { MessageStructure, MimePart } from './types.js';

function shifted(part: MimePart, by: number, isRoot: boolean): MimePart {
  const out: MimePart = {
    ...part,
    headerStart: isRoot ? part.headerStart : part.headerStart + by,
    headerEnd: part.headerEnd + by,
    bodyEnd: part.bodyEnd + by,
  };
  if (part.children) out.children = part.children.map((c) => shifted(c, by, false));
  return out;
}

/**
 * The structure of `prefix + raw`, given the structure of `raw` and the
 * length of `prefix`, which must be whole header lines each ending in CRLF
 * (the envelope is unchanged: it names none of the fields a trace adds).
 */
export function withHeaderPrefix(structure: MessageStructure, prefixLength: number): MessageStructure {
  return {
    ...structure,
    rawSize: structure.rawSize + prefixLength,
    size: structure.size + prefixLength,
    root: shifted(structure.root, prefixLength, true),
  };
}
