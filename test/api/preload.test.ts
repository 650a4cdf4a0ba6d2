import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CALL_CHANNELS } from '../../shared/channels';
import type { MmApi } from '../../shared/contract';
import { REPO_ROOT } from '../helpers/paths';
import { isTrustedSender } from '../../electron/window';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** Runs the bundled sandboxed preload with a recording stand-in for Electron's renderer modules. */
async function loadPreload() {
  const code = await readFile(join(REPO_ROOT, 'out', 'electron', 'preload.cjs'), 'utf8');
  const exposed: Record<string, unknown> = {};
  const invoked: unknown[][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    ipcRenderer: {
      invoke: (...args: unknown[]) => {
        invoked.push(args);
        return Promise.resolve({ ok: true, value: 'from-main' });
      },
      on: (channel: string, l: Listener) =>
        listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l)),
      removeListener: (channel: string, l: Listener) => listeners.get(channel)?.delete(l),
    },
  };
  const allowed: Record<string, unknown> = { electron, url: await import('node:url') };
  const module = { exports: {} };
  runInNewContext(code, {
    require: (name: string) => {
      if (!(name in allowed)) throw new Error(`the sandboxed preload may not require ${name}`);
      return allowed[name];
    },
    module,
    exports: module.exports,
    __filename: 'preload.cjs',
    __dirname: '.',
  });
  const emit = (...args: unknown[]) => listeners.get('mm:event')?.forEach((l) => l({}, ...args));
  return { exposed, invoked, emit, listeners };
}

describe('the preload (bundled, as the sandboxed renderer loads it)', () => {
  it('exposes exactly the contract as window.mm and nothing else', async () => {
    const { exposed } = await loadPreload();
    expect(Object.keys(exposed)).toEqual(['mm']);
    expect(Object.keys(exposed['mm'] as object).sort()).toEqual(['call', 'download', 'on', 'upload']);
  });

  it('forwards downloads of the contract to the main process and refuses any other', async () => {
    const { exposed, invoked } = await loadPreload();
    const mm = exposed['mm'] as MmApi;
    const request = { projectId: 'p', format: 'csv' } as const;
    await expect(mm.download('rehearsal:export', request)).resolves.toEqual({ ok: true, value: 'from-main' });
    expect(invoked).toEqual([['mm:download', 'rehearsal:export', request]]);
    const refused = await (mm.download as (c: string, r: unknown) => Promise<unknown>)('projects:list', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    expect(invoked).toHaveLength(1);
  });

  it('forwards uploads of the contract to the main process without any file, and refuses any other', async () => {
    const { exposed, invoked } = await loadPreload();
    const mm = exposed['mm'] as MmApi;
    const request = { projectId: 'p' };
    // a file the page may hold is not sent: the main process asks with its open dialog
    const file = { name: 'back.mmreview', size: 3 };
    await expect(mm.upload('review:merge-comments', request, file)).resolves.toEqual({
      ok: true,
      value: 'from-main',
    });
    expect(invoked).toEqual([['mm:upload', 'review:merge-comments', request]]);
    const refused = await (mm.upload as (c: string, r: unknown) => Promise<unknown>)('review:export', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    expect(invoked).toHaveLength(1);
  });

  it('forwards contract calls and refuses anything else before it reaches the main process', async () => {
    const { exposed, invoked } = await loadPreload();
    const mm = exposed['mm'] as MmApi;
    await expect(mm.call('projects:list', {})).resolves.toEqual({ ok: true, value: 'from-main' });
    expect(invoked).toEqual([['mm:call', 'projects:list', {}]]);
    const refused = await (mm.call as (c: string, r: unknown) => Promise<unknown>)('shell:exec', {
      cmd: 'rm -rf /',
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    expect(invoked).toHaveLength(1);
    expect(CALL_CHANNELS.length).toBeGreaterThan(30);
  });

  it('delivers only the subscribed event, and unsubscribes', async () => {
    const { exposed, emit, listeners } = await loadPreload();
    const mm = exposed['mm'] as MmApi;
    const seen: unknown[] = [];
    const off = mm.on('projects:changed', (p) => seen.push(p));
    emit('log:line', { message: 'not for you' });
    emit('projects:changed', { projectId: 'a' });
    off();
    emit('projects:changed', { projectId: 'b' });
    expect(seen).toEqual([{ projectId: 'a' }]);
    expect(listeners.get('mm:event')?.size).toBe(0);
    const noop = (mm.on as (e: string, l: () => void) => () => void)('secret:channel', () => undefined);
    expect(listeners.get('mm:event')?.size).toBe(0);
    noop();
  });
});

describe('trusted IPC senders', () => {
  const app = 'file:///app/out/renderer/index.html';
  it('answers only our own windows showing our page', () => {
    const ours = new Set([3]);
    expect(isTrustedSender(ours, app, { id: 3 }, app)).toBe(true);
    // The renderer routes by hash: every route of our page is our page.
    expect(isTrustedSender(ours, app, { id: 3 }, `${app}#/p/demo/verification?status=x`)).toBe(true);
    expect(isTrustedSender(ours, app, { id: 3 }, 'file:///app/out/renderer/other.html')).toBe(false);
    expect(isTrustedSender(ours, app, { id: 4 }, app)).toBe(false);
    expect(isTrustedSender(ours, app, { id: 3 }, 'https://evil.example/')).toBe(false);
    expect(isTrustedSender(ours, app, { id: 3 }, undefined)).toBe(false);
  });
});
