/**
 * Entry point of the browser host: the same core and renderer as the desktop app, served on
 * 127.0.0.1 for machines without the Electron binary and for end-to-end tests.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { createCore } from '../core/core';
import { defaultDataDir } from '../core/data-dir';
import { ensureDemoProject } from '../core/demo';
import { attachDemoTarget, startAppSandbox } from '../sandbox/demo-target';
import { startThrowawayTarget } from '../sandbox/throwaway-process';
import { RENDERER_DIR } from '../core/paths';
import { startBrowserHost } from './http-server';

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is 0-65535');
  return n;
}

const program = new Command('mm-host')
  .description('Serve the Migration Manager control panel to a browser on 127.0.0.1')
  .option('--port <port>', 'port to listen on (default: a free one)', parsePort)
  .option('--data-dir <dir>', 'where projects are stored (or MM_DATA_DIR)')
  .option('--no-open', 'do not open the system browser')
  .option('--no-demo', 'do not create the built-in demo project on first start')
  .option('--secret <secret>', 'use this secret instead of a random one (tests)');
program.parse();
const opts = program.opts<{
  port?: number;
  dataDir?: string;
  open: boolean;
  demo: boolean;
  secret?: string;
}>();

// Files the host writes (projects, inventories, logs, secrets) are the user's alone.
process.umask(0o077);
const dataDir = resolve(opts.dataDir ?? defaultDataDir());
const core = createCore({ dataDir, shell: 'browser', throwawayTarget: startThrowawayTarget });
if (opts.demo) await ensureDemoProject(core);
// The built-in sandbox target on free ports; the demo project is pointed at it on every start.
const sandbox = await startAppSandbox(dataDir);
// One project the demo refresh cannot update never keeps the host from starting.
await attachDemoTarget(core, sandbox).catch((e: unknown) =>
  process.stderr.write(`The demo target was not attached: ${e instanceof Error ? e.message : String(e)}\n`),
);
const host = await startBrowserHost({
  core,
  rendererDir: RENDERER_DIR,
  ...(opts.port !== undefined ? { port: opts.port } : {}),
  ...(opts.secret !== undefined ? { secret: opts.secret } : {}),
});

process.stdout.write(`Migration Manager control panel (data: ${dataDir})\n${host.url}\n`);
if (opts.open) openBrowser(host.url);

const stop = (): void => {
  void Promise.all([host.close(), sandbox.close()]).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

/** Opens the system browser when there is one; silently does nothing otherwise. */
function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) return;
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no browser: the URL is printed above
  }
}
