/**
 * The desktop app's way to start a rehearsal's throwaway sandbox in a process of its own: an
 * Electron utility process (a Node child of the main process that Electron ends with the app).
 * Not `process.execPath` with ELECTRON_RUN_AS_NODE: the packaged app's fuses turn that off
 * (build/electron-builder.yml). The entry, the protocol and the rest are the CLI's and the
 * browser host's (sandbox/throwaway-process.ts); this file only adapts the channel.
 */
import { utilityProcess } from 'electron';
import type { SpawnThrowawayChild } from './sandbox/throwaway-process';

export const forkUtility: SpawnThrowawayChild = (entry) => {
  const child = utilityProcess.fork(entry.file, [], {
    execArgv: [...entry.execArgv],
    stdio: ['ignore', 'ignore', 'inherit'],
    serviceName: 'Migration Manager rehearsal sandbox',
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (request) => child.postMessage(request),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  };
};
