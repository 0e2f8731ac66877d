// The 8-byte big-endian number columns of MessageColumns (UIDs, MODSEQs,
// INTERNALDATEs, sizes): written by the mailbox service, read by it and by the edge.

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
