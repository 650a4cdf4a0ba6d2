import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { runMm } from '../helpers/processes';

/** `mm sandbox start` as a process: resolves with its URLs once it prints them. */
async function startSandboxProcess(dataDir: string) {
  const child = spawn(
    process.execPath,
    ['electron/cli/mm.mjs', '--data-dir', dataDir, 'sandbox', 'start', '--poa-port', '0', '--pba-port', '0'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const urls = await new Promise<{ poa: string; pba: string; web: string }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const poa = /^POA (\S+)$/m.exec(out)?.[1];
      const pba = /^PBA (\S+)$/m.exec(out)?.[1];
      const web = /^web (\S+)$/m.exec(out)?.[1];
      if (poa && pba && web) resolve({ poa, pba, web });
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { urls, stop: () => (child.kill('SIGTERM'), exited) };
}

describe('mm target and mm sandbox as a user runs them', () => {
  it('starts the sandbox, sets the target with passwords on stdin, shows it, tests it', async () => {
    const dir = await tempDir();
    const sandbox = await startSandboxProcess(`${dir}/sandbox`);
    expect(sandbox.urls.poa).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/RPC2$/);
    const env = { MM_DATA_DIR: dir };
    expect((await runMm(['project', 'create', 'CLI target'], env)).code).toBe(0);

    const set = await runMm(
      [
        'target',
        'set',
        '--poa-url',
        sandbox.urls.poa,
        '--poa-user',
        'admin',
        '--poa-password-stdin',
        '--pba-url',
        sandbox.urls.pba,
        '--pba-password-stdin',
      ],
      env,
      'poa-pw&1\npba-pw&2\n',
    );
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('(password stored)');

    const show = await runMm(['target', 'show', '--json'], env);
    expect(JSON.parse(show.stdout)).toMatchObject({
      poa: { url: sandbox.urls.poa, user: 'admin', hasPassword: true },
      pba: { hasPassword: true },
    });
    expect(show.stdout).not.toContain('pw&');

    const test = await runMm(['target', 'test'], env);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/POA: ok, 8 service templates/);
    expect(test.stdout).toContain('Linux Hosting Business');
    expect(test.stdout).toMatch(/PBA: ok, 20 service plans/);
    expect(test.stdout).toContain('Domain registration .de');

    expect(await sandbox.stop()).toBe(0);
    const down = await runMm(['target', 'test'], env);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('POA: FAILED');
  });

  it('refuses a bad URL or fingerprint with a usage error naming the option', async () => {
    const dir = await tempDir();
    const env = { MM_DATA_DIR: dir };
    await runMm(['project', 'create', 'Bad input'], env);
    const url = await runMm(['target', 'set', '--poa-url', 'javascript:alert(1)'], env);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('poaUrl');
    const fp = await runMm(['target', 'set', '--tls-fingerprint', 'zz'], env);
    expect(fp.code).toBe(2);
    expect(fp.stderr).toContain('SHA-256');
  });
});
