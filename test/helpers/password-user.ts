/**
 * A system user of one test sshd's own, for password logins. One shared user (`mmtest`, its
 * password set anew by every sshd started) let two test runs on one machine — or two files of
 * one run — reset each other's password between setting it and logging in with it. Each sshd
 * now gets a user nobody else knows: `mmtest-<pid>-<n>` (pid: the process that made it), a
 * random password kept in memory only, a home of its own in /home. The user and its home are
 * removed when the sshd stops; users left by a process that died meanwhile (killed runs) are
 * removed by the next one made.
 *
 * useradd and userdel lock /etc/passwd themselves but give up after a while when many runs
 * queue; they run under one flock here so parallel test files wait their turn instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface PasswordUser {
  readonly name: string;
  readonly password: string;
  /** Removes the user (idempotent; a user still logged in is removed too). */
  remove(): void;
}

/** The prefix every per-sshd password user's name starts with. */
export const PASSWORD_USER_PREFIX = 'mmtest-';
const LOCK = '/tmp/mm-test-users.lock';
const OURS = new RegExp(`^${PASSWORD_USER_PREFIX}(\\d+)-\\d+$`);

let made = 0;

/** Runs a user-database command under the shared lock (argv only: no shell). */
function locked(command: string, args: string[], input?: string): void {
  execFileSync('flock', ['-w', '120', LOCK, command, ...args], {
    stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    ...(input === undefined ? {} : { input }),
  });
}

/** Whether `pid` runs on this machine (the tests run on Linux: sshd, useradd). */
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);

function removeUser(name: string): void {
  try {
    // -f: sessions a test killed may still be ending; -r: its home too
    locked('userdel', ['-f', '-r', name]);
  } catch {
    // already gone
  }
}

/** Removes the per-sshd users whose making process no longer runs. */
function sweepLeftovers(): void {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const name = line.split(':')[0] ?? '';
    const pid = Number(OURS.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) removeUser(name);
  }
}

/** Makes a new password user (undefined when this process is not root: then password logins cannot be tested). */
export function makePasswordUser(): PasswordUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  sweepLeftovers();
  const name = `${PASSWORD_USER_PREFIX}${process.pid}-${++made}`;
  const password = `pw-${Math.random().toString(36).slice(2)}'$;`;
  try {
    locked('useradd', ['-m', '-s', '/bin/sh', name]);
    locked('chpasswd', [], `${name}:${password}\n`);
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    removeUser(name);
    throw new Error(
      `could not make the test sshd's password user ${name}: ${err.stderr?.toString() ?? err.message}`,
      {
        cause: e,
      },
    );
  }
  let removed = false;
  return {
    name,
    password,
    remove: () => {
      if (removed) return;
      removed = true;
      removeUser(name);
    },
  };
}
