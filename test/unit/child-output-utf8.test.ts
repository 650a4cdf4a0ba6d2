/**
 * The test helpers that run `mm` (and any program) decode a child's output as one UTF-8 stream:
 * decoded chunk by chunk, a character whose bytes two chunks share became two U+FFFD.
 */
import { describe, expect, it } from 'vitest';
import { runChild } from '../helpers/processes';

/** Two, three and four bytes a character, and ASCII between them. */
const TEXT = 'Grüße aus Köln — 東京の顧客 🙂 ñandú; '.repeat(4_000);

/**
 * A child that reads TEXT on its stdin, then writes its bytes to stdout and stderr in pieces of 1, 2, 3, 5, 7, 11 and 13
 * bytes (most of them cut a character), each after the last was flushed and a pause now and
 * then, so they reach the parent as chunks of their own.
 */
const WRITER = `
const sizes = [1, 2, 3, 5, 7, 11, 13];
const flushed = (s, b) => new Promise((r) => s.write(b, r));
(async () => {
  const read = [];
  for await (const b of process.stdin) read.push(b);
  const bytes = Buffer.concat(read);
  let n = 0;
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const piece = bytes.subarray(at, at + sizes[i % sizes.length]);
    at += piece.length;
    await flushed(process.stdout, piece);
    await flushed(process.stderr, piece);
    if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    n++;
  }
  process.exitCode = n > 1000 ? 0 : 3;
})();
`;

describe('child output decoding', () => {
  it('keeps every character whole when its bytes come in separate chunks', async () => {
    const run = await runChild(process.execPath, ['-e', WRITER], {}, TEXT);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('\uFFFD');
    expect(run.stderr).not.toContain('\uFFFD');
    expect(run.stdout.length).toBe(TEXT.length);
    expect(run.stdout === TEXT).toBe(true);
    expect(run.stderr === TEXT).toBe(true);
  });
});
