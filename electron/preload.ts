/**
 * Preload (sandboxed, bundled to one CommonJS file): exposes exactly the shared contract as
 * window.mm. Channels outside the contract are refused here, before they reach the main process.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL_CHANNELS, DOWNLOAD_CHANNELS, EVENT_CHANNELS, UPLOAD_CHANNELS } from '../shared/channels';
import type { EventChannel, EventPayloads, MmApi } from '../shared/contract';
import { err } from '../shared/result';

const api: MmApi = {
  call: (channel, request) => {
    if (!CALL_CHANNELS.includes(channel))
      return Promise.resolve(err('unknown-call', `No call "${String(channel)}".`));
    return ipcRenderer.invoke('mm:call', channel, request);
  },
  // The main process asks where to save and writes the file there: no byte of it comes here.
  download: (channel, request) => {
    if (!DOWNLOAD_CHANNELS.includes(channel))
      return Promise.resolve(err('unknown-call', `No download "${String(channel)}".`));
    return ipcRenderer.invoke('mm:download', channel, request);
  },
  // The main process asks which file with its open dialog and reads it there: no byte of it
  // comes here, and a file the page may have picked is not sent.
  upload: (channel, request) => {
    if (!UPLOAD_CHANNELS.includes(channel))
      return Promise.resolve(err('unknown-call', `No upload "${String(channel)}".`));
    return ipcRenderer.invoke('mm:upload', channel, request);
  },
  on: (event, listener) => {
    if (!EVENT_CHANNELS.includes(event)) return () => undefined;
    const handler = (_e: IpcRendererEvent, name: EventChannel, payload: unknown): void => {
      if (name === event) listener(payload as EventPayloads[typeof event]);
    };
    ipcRenderer.on('mm:event', handler);
    return () => ipcRenderer.removeListener('mm:event', handler);
  },
};

contextBridge.exposeInMainWorld('mm', api);
