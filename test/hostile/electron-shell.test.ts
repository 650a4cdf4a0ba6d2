/**
 * The desktop shell's small points under hostile input: what the `app://` protocol serves for
 * hostile URLs (with POSIX and Windows path rules), and the fuses the packaged binary gets.
 * Electron's binary is not installed on the test machine, so the protocol is tested through
 * the pure resolver `main.ts` hands every request to, serving a real renderer folder.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, posix, win32 } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_URL, appFileFor } from '../../electron/app-protocol';
import { REPO_ROOT } from '../helpers/paths';
import { type Sandbox, hashTree, sandbox } from './untouched';

const HOSTILE_URLS = [
  'app://mm/../../etc/passwd',
  'app://mm/..%2f..%2fsecrets.key',
  'app://mm/%2e%2e/%2e%2e/data/secrets.json',
  'app://mm/assets/..%2f..%2f..%2fdata%2fprojects%2fa%2fproject.json',
  'app://mm/..%5c..%5cdata%5csecrets.json',
  'app://mm/assets%5c..%5c..%5cindex.js',
  'app://mm/C:%5cWindows%5cwin.ini',
  'app://mm/C:/Windows/x.js',
  'app://mm/%5c%5cserver%5cshare%5cx.js',
  'app://mm/assets/x.js%00.html',
  'app://mm/assets//x.js',
  'app://mm/assets/x.exe',
  'app://other/index.html',
  'app://user:pw@mm/index.html',
  'file:///etc/passwd',
  'app://mm/%E0%A4%A',
];

describe('the app:// protocol of the desktop shell', () => {
  let box: Sandbox;
  let renderer: string;

  beforeAll(async () => {
    box = await sandbox();
    renderer = join(box.root, 'renderer');
    await mkdir(join(renderer, 'assets'), { recursive: true });
    await writeFile(join(renderer, 'index.html'), '<!doctype html>');
    await writeFile(join(renderer, 'assets', 'index-1.js'), 'export {}');
    await writeFile(join(box.dataDir, 'secrets.json'), '{"schemaVersion":1,"secrets":{}}');
  });

  /** Nothing, or a file inside the renderer folder (the URL parser folds %2e%2e into the path). */
  const confined = (path: typeof posix, root: string, file: string | undefined): boolean => {
    if (file === undefined) return true;
    const back = path.relative(root, file);
    return !back.startsWith('..') && !path.isAbsolute(back);
  };

  it.each(HOSTILE_URLS)(
    'serves nothing outside the renderer for %s, with POSIX or Windows path rules',
    async (url) => {
      const before = await hashTree(box.root);
      const file = appFileFor(url, renderer, posix);
      expect(confined(posix, renderer, file)).toBe(true);
      const winRoot = 'C:\\Program Files\\Migration Manager\\renderer';
      expect(confined(win32, winRoot, appFileFor(url, winRoot, win32))).toBe(true);
      // Whatever it names does not exist in the renderer: the protocol answers 404.
      if (file) await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await hashTree(box.root)).toEqual(before);
    },
  );

  it('serves the renderer’s own files, inside its folder on both OSes (control)', async () => {
    expect(APP_URL).toBe('app://mm/index.html');
    for (const [url, rel] of [
      ['app://mm/', 'index.html'],
      ['app://mm/index.html#/p/demo/servers', 'index.html'],
      ['app://mm/assets/index-1.js', 'assets/index-1.js'],
    ] as const) {
      const file = appFileFor(url, renderer, posix);
      expect(file).toBe(join(renderer, rel));
      expect((await readFile(file!)).length).toBeGreaterThan(0);
      expect(appFileFor(url, 'C:\\app\\renderer', win32)).toBe(
        win32.join('C:\\app\\renderer', ...rel.split('/')),
      );
    }
  });
});

describe('the packaged binary', () => {
  it('has RunAsNode off, cookie encryption on and ASAR integrity on (electron-builder fuses)', async () => {
    const yml = await readFile(join(REPO_ROOT, 'build', 'electron-builder.yml'), 'utf8');
    const block = /^electronFuses:\n((?: {2}.+\n)+)/m.exec(yml)?.[1] ?? '';
    const fuses = Object.fromEntries(
      block
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/:\s*/) as [string, string]),
    );
    expect(fuses).toMatchObject({
      runAsNode: 'false',
      enableCookieEncryption: 'true',
      enableNodeOptionsEnvironmentVariable: 'false',
      enableNodeCliInspectArguments: 'false',
      enableEmbeddedAsarIntegrityValidation: 'true',
      onlyLoadAppFromAsar: 'true',
    });
  });
});
