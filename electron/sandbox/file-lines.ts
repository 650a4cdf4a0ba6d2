/**
 * Reads a file line by line, synchronously (the sandbox loads its state before it listens), in
 * slices of 1 MB: no line is ever joined with the next, so a file of any size is read without
 * one string holding it. A line is cut at its bytes (a "\n" byte never occurs inside a UTF-8
 * character) and decoded alone.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const SLICE_BYTES = 1 << 20;

/** Every line of the file, without its "\n"; the last one too when the file does not end with one. */
export function* fileLines(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const slice = Buffer.allocUnsafe(SLICE_BYTES);
    // The bytes of a line begun in an earlier slice (copies: the slice buffer is reused).
    let pending: Buffer[] = [];
    for (;;) {
      const read = readSync(fd, slice, 0, slice.length, null);
      if (read === 0) break;
      let start = 0;
      for (let nl = slice.indexOf(0x0a, start); nl !== -1 && nl < read; nl = slice.indexOf(0x0a, start)) {
        const tail = slice.subarray(start, nl);
        yield (pending.length > 0 ? Buffer.concat([...pending, tail]) : tail).toString('utf8');
        pending = [];
        start = nl + 1;
      }
      if (start < read) pending.push(Buffer.from(slice.subarray(start, read)));
    }
    if (pending.length > 0) yield Buffer.concat(pending).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
