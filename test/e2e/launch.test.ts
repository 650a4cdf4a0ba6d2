/**
 * `npm start` (electron/launch.mjs): it builds only when a source changed since the last build,
 * and when Electron's binary is missing it says so in one plain sentence and starts the browser
 * host.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildState } from '../../electron/build-freshness.mjs';
import { REPO_ROOT, tempDir } from '../helpers/paths';

async function tree(root: string, files: Record<string, number>): Promise<void> {
  for (const [file, secondsAgo] of Object.entries(files)) {
    await mkdir(join(root, file, '..'), { recursive: true });
    await writeFile(join(root, file), file);
    const t = new Date(Date.now() - secondsAgo * 1000);
    await utimes(join(root, file), t, t);
  }
}

describe('npm start builds only when needed', () => {
  const sources = ['src', 'package.json'];
  const outputs = ['out/app.js', 'out/index.html'];

  it('is current when every output is newer than every source', async () => {
    const root = await tempDir();
    await tree(root, {
      'src/a.ts': 300,
      'src/deep/b.ts': 200,
      'package.json': 400,
      'out/app.js': 100,
      'out/index.html': 90,
    });
    // Folders count by their own time too (a file removed from src changes it).
    await utimes(join(root, 'src'), new Date(Date.now() - 250_000), new Date(Date.now() - 250_000));
    await utimes(join(root, 'src/deep'), new Date(Date.now() - 250_000), new Date(Date.now() - 250_000));
    expect(buildState(root, sources, outputs)).toEqual({
      current: true,
      why: 'no source changed since the last build',
    });
  });

  it('names the source that changed after the build, or the output that is missing', async () => {
    const root = await tempDir();
    await tree(root, {
      'src/a.ts': 300,
      'src/deep/b.ts': 10,
      'package.json': 400,
      'out/app.js': 100,
      'out/index.html': 90,
    });
    for (const dir of ['src', 'src/deep'])
      await utimes(join(root, dir), new Date(Date.now() - 250_000), new Date(Date.now() - 250_000));
    expect(buildState(root, sources, outputs)).toEqual({ current: false, why: 'src/deep/b.ts changed' });
    const bare = await tempDir();
    await tree(bare, { 'src/a.ts': 300, 'out/app.js': 100 });
    expect(buildState(bare, sources, outputs)).toEqual({ current: false, why: 'out/index.html is missing' });
  });
});

/** True where Electron's binary is installed (a desktop developer's machine): then it starts, not the host. */
const electronInstalled = ((): boolean => {
  try {
    createRequire(import.meta.url)('electron');
    return true;
  } catch {
    return false;
  }
})();

describe('npm start without the Electron binary', () => {
  it.skipIf(electronInstalled)('says it in one sentence and starts the browser host', async () => {
    const dataDir = await tempDir();
    const child = spawn(
      process.execPath,
      ['electron/launch.mjs', '--no-open', '--data-dir', dataDir, '--no-demo'],
      {
        cwd: REPO_ROOT,
        // The build is the suite's (npm test builds first); no attempt to download Electron.
        env: {
          ...process.env,
          MM_SKIP_BUILD: '1',
          MM_NO_ELECTRON_FETCH: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (/^http:\/\/127\.0\.0\.1:\d+\/\?secret=/m.test(out)) resolve();
        });
        child.on('exit', (code) => reject(new Error(`launch exited with ${code}: ${out}`)));
      });
    } finally {
      child.kill('SIGTERM');
    }
    const before = out
      .slice(0, out.search(/^http:/m))
      .trim()
      .split('\n');
    const about = before.filter((l) => /Electron/.test(l));
    expect(about).toEqual([
      'The Electron desktop app is not installed here, so Migration Manager starts in your browser instead (with internet access, "node node_modules/electron/install.js" installs the desktop app).',
    ]);
    expect(out).not.toMatch(/failed to install correctly/i);
  });
});
