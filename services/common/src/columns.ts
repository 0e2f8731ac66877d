// The columns of MessageColumns: 8-byte big-endian numbers (UIDs, MODSEQs,
// INTERNALDATEs, sizes) and flag lines. Written by the mailbox service, read
// by it and by the edge.
//
// A message's flags are a list (repeated string) in every other message of
// the contract. A page of columns carries them as text instead, one line per
// message with its flags separated by spaces (flags are atoms: neither spaces
// nor line ends), lines separated by LF: one string per page is about three
// times cheaper to encode and decode than a string per message, and
// PostgreSQL writes it itself (string_agg).

/** The i-th number of a column; 0 past its end (a column not asked for is empty). All values fit a double. */
export function int64At(column: Buffer, i: number): number {
  const at = i * 8;
  if (column.length < at + 8) return 0;
  return column.readUInt32BE(at) * 4294967296 + column.readUInt32BE(at + 4);
}

/** A column of values[i] for each i of `picked`. */
export function int64Column(values: readonly number[], picked: Int32Array): Buffer {
  const out = Buffer.allocUnsafe(picked.length * 8);
  for (let j = 0; j < picked.length; j++) {
    const v = values[picked[j]!]!;
    out.writeUInt32BE(Math.floor(v / 4294967296), j * 8);
    out.writeUInt32BE(v >>> 0, j * 8 + 4);
  }
  return out;
}

/** The flags column of a page from the flag line of each message. */
export function flagColumn(lines: readonly string[]): string {
  return lines.join('\n');
}

/** The flag line of each message of a page (`count` messages). */
export function flagLines(column: string, count: number): string[] {
  return count ? column.split('\n') : [];
}

/** A message's flags from its flag line. */
export function flagsOfLine(line: string): string[] {
  return line ? line.split(' ') : [];
}

/** A function that returns one shared string for equal flag lines (a mailbox has few distinct ones). */
export function flagLineInterner(): (line: string) => string {
  const lines = new Map<string, string>();
  return (line) => {
    let shared = lines.get(line);
    if (shared === undefined) lines.set(line, (shared = line));
    return shared;
  };
}
