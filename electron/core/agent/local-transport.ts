/**
 * The local transport: runs the agent on this machine with execFile (no shell). Used by the
 * built-in demo source server and by servers whose files were copied here.
 */
import { execFile } from 'node:child_process';
import { copyFile, stat } from 'node:fs/promises';
import { MmError } from '../errors';
import { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_MAX_OUTPUT_BYTES, type Transport } from './transport';

export function localTransport(): Transport {
  return {
    label: 'local',
    exec: (argv, options = {}) =>
      new Promise((resolve, reject) => {
        const [file, ...args] = argv;
        if (!file) return reject(new MmError('invalid-input', 'No command to run.'));
        const child = execFile(
          file,
          args,
          {
            timeout: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
            maxBuffer: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
            encoding: 'utf8',
            ...(options.signal ? { signal: options.signal } : {}),
          },
          (e, stdout, stderr) => {
            if (e && (e as NodeJS.ErrnoException).code === 'ENOENT') {
              return reject(
                new MmError('command-missing', `"${file}" is not installed on this machine.`, file),
              );
            }
            if (e && e.name === 'AbortError')
              return reject(new MmError('cancelled', `"${file}" was cancelled.`, file));
            if (e && e.killed)
              return reject(
                new MmError('command-timeout', `"${file}" ran longer than allowed and was stopped.`, file),
              );
            if (e && (e as { code?: unknown }).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
              return reject(new MmError('output-too-large', `"${file}" printed too much output.`, file));
            }
            const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
        if (options.stdout) child.stdout?.pipe(options.stdout);
      }),
    async upload(localPath, remotePath, onProgress) {
      await copyFile(localPath, remotePath);
      const size = (await stat(remotePath)).size;
      onProgress?.(size, size);
    },
    async download(remotePath, localPath, onProgress) {
      await copyFile(remotePath, localPath);
      const size = (await stat(localPath)).size;
      onProgress?.(size, size);
    },
    close: async () => undefined,
  };
}
