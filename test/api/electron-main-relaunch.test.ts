/**
 * The desktop app's main process restarts itself once with the engine's V8 flags when it was
 * started without them (the packaged app, from its icon): main.ts as built, run by Node with a
 * stand-in for the `electron` module (this machine has no Electron binary) that records what the
 * app asks of Electron. The decision itself is tested in unit/engine-relaunch.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildState } from '../../electron/build-freshness.mjs';
import { RELAUNCHED_FOR_FLAGS } from '../../electron/engine-relaunch';
import { ENGINE_V8_FLAGS } from '../../electron/v8-flags.mjs';
import { REPO_ROOT, tempDir } from '../helpers/paths';

/** Records every call the app makes of Electron; prints them when the app exits or gets ready. */
const STAND_IN = `
const Module = require('node:module');
const calls = [];
const record = (name) => (...args) => void calls.push([name, ...args]);
const report = () =>
  process.stdout.write(JSON.stringify({ calls, mark: process.env[${JSON.stringify(RELAUNCHED_FOR_FLAGS)}] ?? null }));
const electron = {
  app: {
    commandLine: { getSwitchValue: (s) => (s === 'js-flags' ? process.env.STAND_IN_JS_FLAGS ?? '' : '') },
    relaunch: record('relaunch'),
    exit: (code) => { calls.push(['exit', code]); report(); process.exit(code); },
    getPath: () => { throw new Error('the tests give --data-dir'); },
    requestSingleInstanceLock: () => { calls.push(['requestSingleInstanceLock']); return true; },
    on: (event) => void calls.push(['on', event]),
    quit: record('quit'),
    whenReady: () => {
      calls.push(['whenReady']);
      setImmediate(() => { report(); process.exit(0); });
      return new Promise(() => undefined);
    },
  },
  protocol: { registerSchemesAsPrivileged: () => void calls.push(['registerSchemesAsPrivileged']) },
  safeStorage: {}, session: {}, shell: {}, BrowserWindow: class {}, utilityProcess: {},
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'electron' ? electron : load.call(this, request, ...rest);
};`;

interface Report {
  readonly calls: readonly [string, ...unknown[]][];
  readonly mark: string | null;
}

let dir = '';
const bundle = join(REPO_ROOT, 'out/electron/main.cjs');

/** Runs the built main process as the app would start, with the given --js-flags value. */
function startApp(jsFlags: string, env: Record<string, string> = {}): Report {
  const out = execFileSync(
    process.execPath,
    ['--require', join(dir, 'stand-in.cjs'), bundle, '--data-dir', join(dir, 'data')],
    {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        ...process.env,
        ...env,
        STAND_IN_JS_FLAGS: jsFlags,
      },
    },
  );
  return JSON.parse(out) as Report;
}

const names = (r: Report): string[] => r.calls.map((c) => c[0]);

describe("the desktop app's main process and the engine's V8 flags", () => {
  beforeAll(async () => {
    // The bundle `npm run build` made (npm test builds first): its agents' scripts are bundled
    // as the app needs them, which only build/bundle-electron.mjs knows how to do.
    const state = buildState(REPO_ROOT);
    if (!state.current) throw new Error(`out/ is not current (${state.why}): run npm run build first`);
    dir = await tempDir('mm-relaunch-');
    await writeFile(join(dir, 'stand-in.cjs'), STAND_IN);
  });

  it('started without them, starts again with them and its arguments, before it locks or opens anything', () => {
    const report = startApp('');
    expect(report.calls).toContainEqual([
      'relaunch',
      { args: [`--js-flags=${ENGINE_V8_FLAGS.join(' ')}`, bundle, '--data-dir', join(dir, 'data')] },
    ]);
    expect(names(report)).toEqual(['relaunch', 'exit']);
    expect(report.mark).toBe('1');
  });

  it('started with them, starts: the single-instance lock, the app:// scheme, then ready', () => {
    const report = startApp(ENGINE_V8_FLAGS.join(' '));
    expect(names(report)).not.toContain('relaunch');
    expect(names(report)).toEqual(
      expect.arrayContaining(['registerSchemesAsPrivileged', 'requestSingleInstanceLock', 'whenReady']),
    );
  });

  it('restarted once already, starts even without them and clears the mark', () => {
    const report = startApp('', { [RELAUNCHED_FOR_FLAGS]: '1' });
    expect(names(report)).not.toContain('relaunch');
    expect(names(report)).toContain('whenReady');
    expect(report.mark).toBeNull();
  });
});
