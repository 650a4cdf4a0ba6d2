/**
 * The main-process end of the contract: one invoke channel for calls, one send channel for
 * events. Only frames of windows we created may call (GitHub Desktop's trusted-sender idea).
 */
import { type BrowserWindow, type IpcMainInvokeEvent, ipcMain } from 'electron';
import { dispatch } from './api/handlers';
import type { Core } from './core/core';
import { err } from '../shared/result';

export const IPC_CALL = 'mm:call';
export const IPC_EVENT = 'mm:event';

export function registerIpc(core: Core, isTrusted: (event: IpcMainInvokeEvent) => boolean): void {
  ipcMain.handle(IPC_CALL, async (event, channel: unknown, payload: unknown) => {
    if (!isTrusted(event)) return err('untrusted-sender', 'This window may not call the Migration Manager.');
    if (typeof channel !== 'string') return err('unknown-call', 'The call has no channel name.');
    return dispatch(core, channel, payload);
  });
}

export function forwardEvents(core: Core, window: BrowserWindow): () => void {
  return core.events.subscribe((event, payload) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT, event, payload);
  });
}
