/**
 * The main-process end of the contract: one invoke channel for calls, one for downloads, one for
 * uploads, one send channel for events. Only frames of windows we created may call (GitHub Desktop's
 * trusted-sender idea).
 */
import { BrowserWindow, type IpcMainInvokeEvent, dialog, ipcMain } from 'electron';
import { saveDownload } from './api/downloads';
import { dispatch } from './api/handlers';
import { openUpload } from './api/uploads';
import type { Core } from './core/core';
import { err } from '../shared/result';

export const IPC_CALL = 'mm:call';
export const IPC_EVENT = 'mm:event';
export const IPC_DOWNLOAD = 'mm:download';
export const IPC_UPLOAD = 'mm:upload';

export function registerIpc(core: Core, isTrusted: (event: IpcMainInvokeEvent) => boolean): void {
  ipcMain.handle(IPC_CALL, async (event, channel: unknown, payload: unknown) => {
    if (!isTrusted(event)) return err('untrusted-sender', 'This window may not call the Migration Manager.');
    if (typeof channel !== 'string') return err('unknown-call', 'The call has no channel name.');
    return dispatch(core, channel, payload);
  });
  // A download is written here, to the file the user picks in the save dialog, as it is made:
  // the sandboxed renderer never holds it and never learns a path it did not choose.
  ipcMain.handle(IPC_DOWNLOAD, async (event, channel: unknown, payload: unknown) => {
    if (!isTrusted(event)) return err('untrusted-sender', 'This window may not call the Migration Manager.');
    return saveDownload(core, channel, payload, async (fileName) => {
      const window = BrowserWindow.fromWebContents(event.sender);
      const options = { defaultPath: fileName, properties: ['showOverwriteConfirmation' as const] };
      const picked = window
        ? await dialog.showSaveDialog(window, options)
        : await dialog.showSaveDialog(options);
      return picked.canceled || !picked.filePath ? undefined : picked.filePath;
    });
  });
  // An upload's file is picked here, in the open dialog, and read here where it is: the renderer
  // never holds its bytes (a bundle of 256 MB) and never names a path.
  ipcMain.handle(IPC_UPLOAD, async (event, channel: unknown, payload: unknown) => {
    if (!isTrusted(event)) return err('untrusted-sender', 'This window may not call the Migration Manager.');
    return openUpload(core, channel, payload, async (kind) => {
      const window = BrowserWindow.fromWebContents(event.sender);
      const options = {
        properties: ['openFile' as const],
        filters: [
          { name: kind.name, extensions: [...kind.extensions] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const picked = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
      return picked.canceled ? undefined : picked.filePaths[0];
    });
  });
}

export function forwardEvents(core: Core, window: BrowserWindow): () => void {
  return core.events.subscribe((event, payload) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT, event, payload);
  });
}
