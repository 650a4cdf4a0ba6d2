/**
 * The local transport: runs the agent on this machine with execFile (no shell). Used by the
 * built-in demo source server and by servers whose files were copied here.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, stat } from 'node:fs/promises';
import { MmError } from '../errors';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_MAX_OUTPUT_BYTES,
  type ExecOptions,
  type ExecResult,
  type Transport,
} from './transport';

const MAX_STDERR_BYTES = 64 * 1024;

/**
 * A command whose stdout goes to a stream or whose stdin comes from one (a content tarball):
 * spawned, so nothing of the stream is buffered here (execFile would collect stdout whole).
 */
function execStreaming(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    if (!file) return reject(new MmError('invalid-input', 'No command to run.'));
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      f();
    };
    const stop = (why: MmError): void => {
      child.kill('SIGKILL');
      settle(() => reject(why));
    };
    const timer = setTimeout(
      () => stop(new MmError('command-timeout', `"${file}" ran longer than allowed and was stopped.`, file)),
      options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    );
    const onAbort = (): void => stop(new MmError('cancelled', `"${file}" was cancelled.`, file));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) =>
      settle(() =>
        reject(
          e.code === 'ENOENT'
            ? new MmError('command-missing', `"${file}" is not installed on this machine.`, file)
            : e,
        ),
      ),
    );
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += d.toString('utf8');
    });
    if (options.stdout) child.stdout.pipe(options.stdout);
    else
      child.stdout.on('data', (d: Buffer) => {
        if (stdout.length < (options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES))
          stdout += d.toString('utf8');
      });
    // A command that exits before reading everything closes its end: its exit code says why.
    child.stdin.on('error', () => undefined);
    if (options.stdin) options.stdin.pipe(child.stdin);
    else child.stdin.end();
    child.on('close', (code, signal) =>
      settle(() =>
        resolve({
          code: code ?? -1,
          stdout,
          stderr,
          ...(signal ? { signal: signal.replace(/^SIG/, '') } : {}),
        }),
      ),
    );
  });
}

export function localTransport(): Transport {
  return {
    label: 'local',
    exec: (argv, options = {}) =>
      options.stdin || options.stdout
        ? execStreaming(argv, options)
        : new Promise((resolve, reject) => {
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
                    new MmError(
                      'command-timeout',
                      `"${file}" ran longer than allowed and was stopped.`,
                      file,
                    ),
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
