/**
 * Progress of core jobs on the terminal: a redrawn bar on stderr when it is a TTY, one line
 * per step otherwise. Never on stdout, which belongs to the command's (JSON) output.
 */
import type { JobProgress } from '../../shared/contract';
import type { Core } from '../core/core';

export function showProgress(core: Core, quiet: boolean): () => void {
  if (quiet) return () => undefined;
  const tty = process.stderr.isTTY === true;
  let lastLabel = '';
  const unsubscribe = core.events.subscribe((event, payload) => {
    if (event !== 'jobs:progress') return;
    const p = payload as JobProgress;
    if (tty) {
      process.stderr.write(`\r\x1b[2K${bar(p)}`);
      if (p.state !== 'running') process.stderr.write('\n');
    } else if (p.label !== lastLabel) {
      lastLabel = p.label;
      process.stderr.write(`${p.label}…\n`);
    }
  });
  return unsubscribe;
}

export function bar(p: JobProgress, width = 30): string {
  const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(ratio * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.round(ratio * 100)}% ${p.label}`;
}
