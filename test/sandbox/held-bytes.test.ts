/**
 * What the sandbox holds per row it was sent over XML-RPC: the row, not the request. Strings the
 * XML parser hands over can be slices of the whole request body, and a row keeping one kept the
 * body (~1.5 KB for pem.addAccount, several for PBA's AccountWithIDAdd_API) alive as long as the
 * sandbox ran: ~0.8 GB for the bench's source at 1×. The sandbox holds the rows its log line
 * parses back to (op-log.ts), sharing nothing with the request.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/paths';

const ACCOUNTS = 4_000;
/** An account row (9 members, a nested person, a few strings) and its entry in the table: ~500
 * bytes measured (the code before: ~2,000, each row keeping its request's body alive). */
const MAX_BYTES_PER_ACCOUNT = 1_000;

describe('the sandbox heap', () => {
  it(`holds under ${MAX_BYTES_PER_ACCOUNT} bytes per account created over XML-RPC`, async () => {
    const dataDir = await tempDir('mm-sandbox-');
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const proc = spawn(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', 'test/sandbox/held-bytes-child.ts', dataDir, String(ACCOUNTS)],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let text = '';
      proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (text += d.toString()));
      proc.once('error', reject);
      proc.once('exit', (exit) => resolve({ code: exit, out: text }));
    });
    expect(code, out).toBe(0);
    const held = JSON.parse(out) as { accounts: number; bytesPerAccount: number };
    // and the 500 the child made first, to warm up
    expect(held.accounts).toBe(ACCOUNTS + 500);
    expect(held.bytesPerAccount).toBeLessThan(MAX_BYTES_PER_ACCOUNT);
  }, 120_000);
});
