import type { ChildProcess } from 'node:child_process';

/**
 * Signals a child process and resolves once it has exited. A child that exited already (with a
 * code, or killed by a signal: then exitCode stays null) resolves at once, without waiting for an
 * 'exit' event that will not come again.
 */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
