/**
 * Composition root of the desktop app: lifecycle, the core, IPC, one secure window.
 * Everything the app does lives in the core; this file only wires Electron to it.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { BrowserWindow, app, protocol, safeStorage, session, shell } from 'electron';
import { APP_CONTENT_TYPES, APP_SCHEME, APP_URL, appFileFor } from './app-protocol';
import { createCore } from './core/core';
import { ensureDemoProject } from './core/demo';
import { RENDERER_DIR } from './core/paths';
import { attachDemoTarget, startAppSandbox } from './sandbox/demo-target';
import { throwawayInProcess } from './sandbox/throwaway-process';
import { forkUtility } from './throwaway-utility';
import { CONTENT_SECURITY_POLICY } from './csp';
import { forwardEvents, registerIpc } from './ipc-main';
import { RELAUNCHED_FOR_FLAGS, relaunchArgsForEngineFlags } from './engine-relaunch';
import { installNavigationGuards, isSafeExternalUrl, isTrustedSender, secureWindowOptions } from './window';

/** `--data-dir <dir>` (as for the browser host and the CLI), else MM_DATA_DIR, else userData. */
function dataDirArgument(argv: readonly string[]): string | undefined {
  const i = argv.indexOf('--data-dir');
  const inline = argv.find((a) => a.startsWith('--data-dir='));
  return inline ? inline.slice('--data-dir='.length) : i >= 0 ? argv[i + 1] : undefined;
}

/** Everything the app does once it runs with the engine's V8 flags. */
function startDesktopApp(): void {
  // Files the app writes (projects, inventories, logs) are the user's alone.
  process.umask(0o077);
  const dataDir = resolve(
    dataDirArgument(process.argv) ?? process.env['MM_DATA_DIR'] ?? app.getPath('userData'),
  );
  const core = createCore({
    dataDir,
    shell: 'electron',
    // Rehearsals run against throwaway sandboxes started by the core through this, each in a
    // utility process of its own (its tables never in this process's heap).
    throwawayTarget: throwawayInProcess(forkUtility),
    // safeStorage (OS keychain) seals the master key of the secret store, when it is backed by a
    // real keyring: on Linux without one it would use a fixed key, so the 0600 key file is used.
    keyGuard: {
      id: 'electron-safe-storage',
      name: 'Electron safeStorage (OS keychain)',
      available: () =>
        safeStorage.isEncryptionAvailable() &&
        (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
      seal: (key) => safeStorage.encryptString(key.toString('base64')),
      unseal: (sealed) => Buffer.from(safeStorage.decryptString(sealed), 'base64'),
    },
  });
  // The renderer comes from app://mm/, not file://: a file:// page could read any local file.
  const appUrl = APP_URL;
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
  const windows = new Set<number>();

  if (!app.requestSingleInstanceLock()) app.quit();

  app.on('web-contents-created', (_event, contents) => {
    installNavigationGuards(contents, appUrl, (url) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
    });
  });

  async function createWindow(): Promise<void> {
    const window = new BrowserWindow(secureWindowOptions(join(__dirname, 'preload.cjs')));
    windows.add(window.webContents.id);
    const stopEvents = forwardEvents(core, window);
    window.on('closed', () => stopEvents());
    window.once('ready-to-show', () => window.show());
    await window.loadURL(appUrl);
  }

  void app.whenReady().then(async () => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
      });
    });
    protocol.handle(APP_SCHEME, async (request) => {
      const file = appFileFor(request.url, RENDERER_DIR);
      const body = file ? await readFile(file).catch(() => undefined) : undefined;
      if (!file || !body) return new Response('Not found', { status: 404 });
      return new Response(body, {
        headers: {
          'Content-Type': APP_CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Security-Policy': CONTENT_SECURITY_POLICY,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    });
    // No permission is ever granted (camera, notifications, clipboard, …): asked for, or checked.
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    registerIpc(core, (event) => isTrustedSender(windows, appUrl, event.sender, event.senderFrame?.url));
    await ensureDemoProject(core);
    // The built-in sandbox target on free ports; the demo project is pointed at it on every start.
    const sandbox = await startAppSandbox(dataDir);
    app.on('will-quit', () => void sandbox.close());
    // One project the demo refresh cannot update never keeps the app from starting.
    await attachDemoTarget(core, sandbox).catch((e: unknown) =>
      console.error(`The demo target was not attached: ${e instanceof Error ? e.message : String(e)}`),
    );
    await createWindow();
  });

  app.on('window-all-closed', () => app.quit());
}

const relaunchArgs = relaunchArgsForEngineFlags(
  process.argv,
  app.commandLine.getSwitchValue('js-flags'),
  process.env,
);
if (relaunchArgs) {
  // Started without the engine's V8 flags (the packaged app, from its icon): start again, with
  // them, before anything is opened or locked (the single-instance lock is the new process's).
  process.env[RELAUNCHED_FOR_FLAGS] = '1';
  app.relaunch({ args: relaunchArgs });
  app.exit(0);
} else {
  delete process.env[RELAUNCHED_FOR_FLAGS];
  startDesktopApp();
}
