#!/usr/bin/env node
// `npm start`: build when a source changed since the last build (MM_REBUILD=1 always,
// MM_SKIP_BUILD=1 never), then launch Electron when its binary is present, otherwise the browser
// host, saying which and why. Arguments after `--` go to the shell that starts.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildState, freshBundle } from './build-freshness.mjs';
import { ENGINE_V8_FLAGS } from './v8-flags.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    return { path: require('electron') };
  } catch (e) {
    return { why: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

if (!process.env.MM_SKIP_BUILD) {
  const state = process.env.MM_REBUILD ? { current: false, why: 'MM_REBUILD is set' } : buildState(root);
  if (state.current) console.log(`The build is up to date (${state.why}).`);
  else {
    console.log(`Building the app (${state.why})…`);
    const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
}

/** The binary can be missing because npm skipped its download: try once to fetch it (quick offline). */
function fetchElectron() {
  if (process.env.MM_NO_ELECTRON_FETCH) return;
  spawnSync(process.execPath, ['node_modules/electron/install.js'], {
    cwd: root,
    stdio: 'ignore',
    timeout: 120_000,
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' },
  });
}

let electron = process.env.MM_FORCE_BROWSER ? { why: 'MM_FORCE_BROWSER is set' } : electronBinary();
if (!electron.path && !process.env.MM_FORCE_BROWSER) {
  fetchElectron();
  electron = electronBinary();
}
let child;
if (electron.path) {
  console.log(`Starting the desktop app (Electron at ${electron.path}).`);
  // the main process runs the engine: its V8 flags go on Electron's command line (the only way
  // they reach the main process's heap)
  child = spawn(
    electron.path,
    [`--js-flags=${ENGINE_V8_FLAGS.join(' ')}`, 'out/electron/main.cjs', ...args],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
} else {
  // One sentence: Electron's own "failed to install correctly" advice does not fit this case.
  console.log(
    process.env.MM_FORCE_BROWSER
      ? 'MM_FORCE_BROWSER is set, so Migration Manager starts in your browser.'
      : 'The Electron desktop app is not installed here, so Migration Manager starts in your browser instead (with internet access, "node node_modules/electron/install.js" installs the desktop app).',
  );
  // the bundle `npm run build` made, or the sources through tsx while they are newer
  const host = freshBundle(root, 'host.mjs');
  child = spawn(
    process.execPath,
    [...ENGINE_V8_FLAGS, ...(host ? [host] : ['--import', 'tsx', 'electron/host/main.ts']), ...args],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
