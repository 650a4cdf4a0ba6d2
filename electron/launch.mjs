#!/usr/bin/env node
// `npm start`: build, then launch Electron when its binary is present, otherwise the browser
// host, saying which and why. Arguments after `--` go to the shell that starts.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

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
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const electron = process.env.MM_FORCE_BROWSER ? { why: 'MM_FORCE_BROWSER is set' } : electronBinary();
let child;
if (electron.path) {
  console.log(`Starting the desktop app (Electron at ${electron.path}).`);
  child = spawn(electron.path, ['out/electron/main.cjs', ...args], { cwd: root, stdio: 'inherit' });
} else {
  console.log(`Electron's binary is not available (${electron.why}); starting the browser host instead.`);
  console.log('On a machine with internet, "node node_modules/electron/install.js" fetches it.');
  child = spawn(process.execPath, ['--import', 'tsx', 'electron/host/main.ts', ...args], {
    cwd: root,
    stdio: 'inherit',
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
