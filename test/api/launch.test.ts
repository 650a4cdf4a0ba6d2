import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENGINE_V8_FLAGS } from '../../electron/v8-flags.mjs';
import { REPO_ROOT, tempDir } from '../helpers/paths';

describe('npm start (electron/launch.mjs)', () => {
  it('says why it starts the browser host, prints the URL with the secret on a line of its own, and the host refuses the secretless and runs with the engine’s V8 flags', async () => {
    const child = spawn(
      process.execPath,
      ['electron/launch.mjs', '--no-open', '--data-dir', await tempDir()],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, MM_SKIP_BUILD: '1', MM_NO_ELECTRON_FETCH: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('http://127.0.0.1:'));
        if (line) resolve(line.trim());
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    try {
      expect(out).toMatch(/starts in your browser instead/);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?secret=[A-Za-z0-9_-]{32}$/);
      const origin = new URL(url).origin;
      expect((await fetch(`${origin}/api/call/projects:list`, { method: 'POST', body: '{}' })).status).toBe(
        401,
      );
      const secret = new URL(url).searchParams.get('secret') ?? '';
      const listed = (await (
        await fetch(`${origin}/api/call/projects:list`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json', 'x-mm-secret': secret },
        })
      ).json()) as { ok: boolean; value: { name: string }[] };
      expect(listed.value.map((p) => p.name)).toContain('Demo migration');
      // the host runs the engine: it was started with the engine's V8 flags
      const [hostPid] = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
        .trim()
        .split(' ');
      const hostArgs = readFileSync(`/proc/${hostPid}/cmdline`, 'utf8').split('\0');
      for (const flag of ENGINE_V8_FLAGS) expect(hostArgs).toContain(flag);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
