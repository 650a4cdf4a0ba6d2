/**
 * The processes a test looks at from the outside (/proc): a process's children, whether one is
 * gone, and the rehearsal's throwaway sandbox among a manager's children.
 */
import { readFile, readdir } from 'node:fs/promises';

/** The pids whose parent is `pid`. */
export async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid …": the command may hold spaces and parentheses, so after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid) out.push(Number(name));
  }
  return out;
}

export async function commandLine(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
}

/** Gone: no such process, or only its zombie left for a parent to reap. */
export async function isGone(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

/** The children of `pid` that run the rehearsal's throwaway sandbox. */
export async function throwawayChildrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const c of await childrenOf(pid)) if ((await commandLine(c)).includes('throwaway-child')) out.push(c);
  return out;
}
