/**
 * A disk that really fills up: a small tmpfs mounted in a mount namespace of its own
 * (`unshare --user --map-root-user --mount`, so no root and no mount left behind when the
 * shell ends, even if the test is killed). The data dir is copied onto it, the rest of the
 * space is taken by a filler file, `mm` runs there; then the filler is removed and `mm` runs
 * again. Everything to inspect is copied back to an ordinary folder before the namespace ends.
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../helpers/paths';

export interface ShellRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `script` (sh, `set -e`) with a tmpfs of `sizeKb` mounted at $DISK. `env` is passed as
 * variables (never spliced into the script text). $MM runs the CLI.
 */
export function onSmallDisk(sizeKb: number, script: string, env: Record<string, string>): Promise<ShellRun> {
  const prologue = [
    'set -e',
    'DISK=$(mktemp -d)',
    `mount -t tmpfs -o size=${Math.ceil(sizeKb)}k,mode=0700 mm-small-disk "$DISK"`,
    `MM="${process.execPath} ${REPO_ROOT}/electron/cli/mm.mjs"`,
    // Fills the disk, then frees $1 KiB of it (tmpfs counts whole 4 KiB pages).
    'fill() { dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null || true; truncate -s "-$1K" "$DISK/filler"; }',
    'free() { rm -f "$DISK/filler"; }',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      [
        '--user',
        '--map-root-user',
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        `${prologue}\n${script}`,
      ],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
