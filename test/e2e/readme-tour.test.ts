/**
 * The README's CLI tour, run exactly as printed: the ```sh block under "The `mm` command line"
 * goes to bash as it is, in a fresh directory where `npx mm` is this checkout's bin (npm offline,
 * so npx can never fetch a package of that name instead).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/paths';

const run = promisify(execFile);

/** The first ```sh block after the heading, as printed. */
async function tourBlock(): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The `mm` command line'));
  const match = /```sh\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README.md has no ```sh block under "The `mm` command line"');
  return match[1];
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the README CLI tour', () => {
  let sandboxPid: number | undefined;
  afterAll(() => {
    // Only when the tour failed before its last line: the sandbox it started is ours to stop.
    if (sandboxPid !== undefined && alive(sandboxPid)) process.kill(sandboxPid);
  });

  it('runs as printed on the demo data, from creating the demo to a review copy and back', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'node_modules', '.bin'), { recursive: true });
    await symlink(join(REPO_ROOT, 'electron', 'cli', 'mm.mjs'), join(dir, 'node_modules', '.bin', 'mm'));
    const script = await tourBlock();
    await writeFile(join(dir, 'tour.sh'), script);
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_offline: 'true' };
    delete env['MM_DATA_DIR'];
    const result = await run('bash', ['-e', 'tour.sh'], { cwd: dir, env, timeout: 240_000 })
      .catch((e: unknown) => {
        const failed = e as { stdout?: string; stderr?: string; code?: number };
        throw new Error(`the tour failed (exit ${failed.code}):\n${failed.stdout}\n${failed.stderr}`, {
          cause: e,
        });
      })
      .finally(async () => {
        if (existsSync(join(dir, 'sandbox.json')))
          sandboxPid = (JSON.parse(await readFile(join(dir, 'sandbox.json'), 'utf8')) as { pid: number }).pid;
      });
    const { stdout, stderr } = result;
    // Each step did what its comment says.
    expect(stdout).toContain('Created the demo project "Demo migration"');
    expect(stdout).toMatch(/Stored the inventory of copy01: 7 accounts, 12 domains/);
    expect(stdout).toMatch(/POA: http:\/\/127\.0\.0\.1:\d+\/RPC2 as admin \(password stored\)/);
    expect(stdout).toMatch(/PBA: http:\/\/127\.0\.0\.1:\d+\/RPC2 as admin \(password stored\)/);
    expect(stdout).toMatch(
      /Every template is mapped completely\.|template\(s\) still need a mapping by hand/,
    );
    expect(stdout).toContain('Recorded d-');
    expect(stdout).toMatch(/^\*\s+demo-migration-review\s+Demo migration \(review\)/m);
    expect(stdout).toContain('Commands without --project now work on "Demo migration".');
    expect(stderr).toContain('(--fail-on failed)');
    expect(existsSync(join(dir, 'verification.html'))).toBe(true);
    expect(existsSync(join(dir, 'review.mmreview'))).toBe(true);
    // The sandbox got free ports and its pid on one JSON line, and the last line stopped it.
    const sandbox = JSON.parse(await readFile(join(dir, 'sandbox.json'), 'utf8')) as {
      poaUrl: string;
      pbaUrl: string;
      webUrl: string;
      pid: number;
    };
    for (const url of [sandbox.poaUrl, sandbox.pbaUrl, sandbox.webUrl])
      expect(Number(new URL(url).port)).toBeGreaterThan(0);
    await expect.poll(() => alive(sandbox.pid), { timeout: 10_000 }).toBe(false);
  }, 300_000);
});
