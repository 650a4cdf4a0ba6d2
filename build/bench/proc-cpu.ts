/**
 * CPU time of process trees, read from /proc (Linux), for telling where a pipeline's CPU goes
 * on a machine whose cores it shares: an sshd's listener and every descendant (the per-connection
 * sshd, the agent or `tar` it runs), and this process with the children it ran.
 *
 * A process that already exited was reaped by its parent and counts in the parent's cutime and
 * cstime; a living one counts its own utime+stime (plus its reaped children). So summing, over
 * every living process of the tree, utime+stime+cutime+cstime gives the tree's total so far, and
 * a difference of two readings is what ran between them. The per-name split (`byName`) comes
 * from periodic samples of the living processes, so a process shorter than the sampling period
 * may be missed there (it still counts in the total).
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICK_S = 0.01; // USER_HZ is 100 on Linux

/** What the benches read of one process's /proc/<pid>/stat (proc(5)). */
export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** The program's name as the kernel keeps it (15 bytes at most; may hold spaces and ')'). */
  readonly comm: string;
  /** The state letter: R running or runnable, S asleep, D disk wait, … */
  readonly state: string;
  /** utime+stime, seconds. */
  readonly own: number;
  /** cutime+cstime, seconds. */
  readonly children: number;
}

/** A process's /proc/<pid>/stat, parsed; undefined once it has exited. */
export function readProcStat(pid: number | 'self'): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined; // exited between listing and reading
  }
  // comm is in parentheses and may hold spaces: the fields after it start past the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  const n = (i: number): number => Number(f[i - 3] ?? 0);
  return {
    pid: Number(text.slice(0, open).trim()),
    ppid: n(4),
    comm: text.slice(open + 1, close),
    state: f[0] ?? '',
    own: (n(14) + n(15)) * TICK_S,
    children: (n(16) + n(17)) * TICK_S,
  };
}

/** The children of a process, from /proc/<pid>/task/<tid>/children (one file per thread). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out; // exited
  }
  for (const tid of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' '))
        if (c.trim() !== '') out.push(Number(c));
    } catch {
      // the thread ended
    }
  }
  return out;
}

/**
 * The living processes of the tree rooted at `root` (root included), without the subtrees of
 * `apart` (an sshd this process started is measured as its own tree, not as part of this one).
 * Walked through the children files, not by reading every process of the machine: the samples
 * are taken in this process, whose CPU is part of what is measured.
 */
function tree(root: number, apart: ReadonlySet<number> = new Set()): ProcStat[] {
  const out: ProcStat[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    if (pid !== root && apart.has(pid)) continue;
    const s = readProcStat(pid);
    if (!s) continue;
    out.push(s);
    todo.push(...childrenOf(pid));
  }
  return out;
}

/**
 * CPU seconds the tree has used so far (living processes and everything they reaped), the
 * subtrees of `apart` left out. A subtree left out must not have been reaped into the tree yet
 * (the sshds here live as long as the measurement).
 */
export function treeCpu(root: number | 'self', apart: ReadonlySet<number> = new Set()): number {
  const pid = root === 'self' ? process.pid : root;
  return tree(pid, apart).reduce((sum, s) => sum + s.own + s.children, 0);
}

/** One measured span: CPU seconds per tree, and per process name within each tree. */
export interface CpuSpan {
  /** tree label → CPU seconds used during the span. */
  readonly total: Map<string, number>;
  /** "tree label: process name" → CPU seconds seen in samples during the span. */
  readonly byName: Map<string, number>;
}

/**
 * Measures `work` and returns its CPU split by tree. `trees` maps a label to the root pid
 * ('self' is this process and its children). Samples every `everyMs` for the per-name split.
 */
export async function cpuDuring(
  trees: ReadonlyMap<string, number | 'self'>,
  work: () => Promise<unknown>,
  everyMs = 100,
): Promise<CpuSpan> {
  const roots = new Set([...trees.values()].filter((p): p is number => p !== 'self'));
  const before = new Map([...trees].map(([label, pid]) => [label, treeCpu(pid, roots)]));
  // pid → [label, name, own CPU at the span's start, own CPU at last sight]
  const seen = new Map<number, [string, string, number, number]>();
  // A process first seen after the span began was born in it: all its CPU is the span's (counted
  // from its first sighting it lost what it ran before, up to a whole sampling period).
  let started = false;
  const sample = (): void => {
    for (const [label, root] of trees) {
      for (const s of tree(root === 'self' ? process.pid : root, roots)) {
        const name = root === 'self' && s.pid === process.pid ? 'manager (node)' : s.comm;
        const had = seen.get(s.pid);
        // The name as last seen: `bash -c` becomes the program it execs.
        if (had) {
          had[1] = name;
          had[3] = s.own;
        } else seen.set(s.pid, [label, name, started ? 0 : s.own, s.own]);
      }
    }
  };
  sample();
  started = true;
  const timer = setInterval(sample, everyMs);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  sample();
  const total = new Map([...trees].map(([label, pid]) => [label, treeCpu(pid, roots) - before.get(label)!]));
  const byName = new Map<string, number>();
  for (const [label, name, first, last] of seen.values()) {
    const key = `${label}: ${name}`;
    byName.set(key, (byName.get(key) ?? 0) + (last - first));
  }
  return { total, byName };
}

/** "source 1.2 s (sshd 0.8, perl 0.4) · manager …" per GB of `bytes`. */
export function perGb(span: CpuSpan, bytes: number): string {
  const gb = bytes / 1024 ** 3;
  return [...span.total]
    .map(([label, s]) => {
      const parts = [...span.byName]
        .filter(([k, v]) => k.startsWith(`${label}: `) && v / gb >= 0.05)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k.slice(label.length + 2)} ${(v / gb).toFixed(1)}`);
      return `${label} ${(s / gb).toFixed(1)} s/GB${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
    })
    .join(' · ');
}
