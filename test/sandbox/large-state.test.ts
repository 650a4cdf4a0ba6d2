/**
 * A large state is written and read in pieces, never as one string: 500,000 rows (~190 MB of
 * JSON) compact in a process whose heap (HEAP_MB) holds the rows but not the rows and one string
 * of all of them, as the version 2 snapshot was written (JSON.stringify of the whole state).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SNAPSHOT_FILE } from '../../electron/sandbox/op-log';
import { readSnapshot } from '../../electron/sandbox/snapshot-file';
import { fileLines } from '../../electron/sandbox/file-lines';
import { REPO_ROOT, tempDir } from '../helpers/paths';

const ROWS = 500_000;
const HEAP_MB = 160;

function run(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) => resolve({ code, out }));
  });
}

describe('a large state', () => {
  it(`compacts ${ROWS} rows within a ${HEAP_MB} MB heap, one row per line, and loads back`, async () => {
    const dataDir = await tempDir('mm-sandbox-');
    const compacted = await run([
      `--max-old-space-size=${HEAP_MB}`,
      '--import',
      'tsx',
      'test/sandbox/large-state-child.ts',
      dataDir,
      String(ROWS),
    ]);
    expect(compacted.code, compacted.out).toBe(0);
    expect(JSON.parse(compacted.out)).toMatchObject({ rows: ROWS });

    let rows = 0;
    let longest = 0;
    const path = join(dataDir, SNAPSHOT_FILE);
    for (const line of fileLines(path)) longest = Math.max(longest, line.length);
    readSnapshot(path, {
      counters: () => undefined,
      row: (table, row) => {
        if (table === 'accounts' && row['account_id'] === ++rows) return;
        throw new Error(`row ${rows} of ${table} is ${JSON.stringify(row)}`);
      },
    });
    expect(rows).toBe(ROWS);
    expect(longest).toBeLessThan(1000);
  }, 120_000);
});
