/**
 * Where a pipeline of processes waits, sampled from /proc (Linux): for each named process of
 * the given trees, the share of samples it was running or runnable (R), asleep reading an empty
 * pipe (its input is late), asleep writing a full pipe (its output is backed up), in disk wait
 * (D), or asleep elsewhere. A stage that is R while the one before it waits on a full pipe is
 * the one that sets the pace; a stage often waiting for input is being starved upstream.
 * Measures the content bench's Maildir (the agent's perl, the node's tar).
 */
import { readFileSync } from 'node:fs';
import { childrenOf, readProcStat } from './proc-cpu';

type Kind = 'run' | 'input' | 'output' | 'disk' | 'other';
const KINDS: readonly Kind[] = ['run', 'input', 'output', 'disk', 'other'];

/** One process's state letter and, asleep, the kernel function it waits in. */
function stateOf(pid: number): { comm: string; kind: Kind } | undefined {
  const stat = readProcStat(pid);
  if (!stat) return undefined;
  const { comm, state } = stat;
  if (state === 'R') return { comm, kind: 'run' };
  if (state === 'D') return { comm, kind: 'disk' };
  let wchan = '';
  try {
    wchan = readFileSync(`/proc/${pid}/wchan`, 'latin1');
  } catch {
    // no wchan (exited, or a kernel that hides it): counted as asleep elsewhere
  }
  if (wchan.includes('pipe_read')) return { comm, kind: 'input' };
  if (wchan.includes('pipe_write')) return { comm, kind: 'output' };
  return { comm, kind: 'other' };
}

/**
 * Every descendant of `root` (not `root` itself), through /proc/<pid>/task/<tid>/children,
 * without the subtrees of `apart` (the sshds this process started are trees of their own).
 */
function descendants(root: number, apart: ReadonlySet<number>): number[] {
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    for (const child of childrenOf(todo.pop()!))
      if (!apart.has(child)) {
        out.push(child);
        todo.push(child);
      }
  }
  return out;
}

/** "label: comm" → samples per kind. */
export type StateCounts = Map<string, Map<Kind, number>>;

/**
 * Samples, every `everyMs` while `work` runs, the processes named in `names` below each root of
 * `trees` (label → pid), adding to `into` (so rounds add up).
 */
export async function statesDuring(
  trees: ReadonlyMap<string, number>,
  names: ReadonlySet<string>,
  into: StateCounts,
  work: () => Promise<unknown>,
  everyMs = 50,
): Promise<void> {
  const roots = new Set(trees.values());
  const sample = (): void => {
    for (const [label, root] of trees)
      for (const pid of descendants(root, roots)) {
        const s = stateOf(pid);
        if (!s || !names.has(s.comm)) continue;
        const key = `${label}: ${s.comm}`;
        const counts = into.get(key) ?? new Map<Kind, number>();
        counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
        into.set(key, counts);
      }
  };
  const timer = setInterval(sample, everyMs);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
}

/** "node: tar run 95 %, waits for input 5 % · source: perl …" */
export function stateLine(counts: StateCounts): string {
  const words: Record<Kind, string> = {
    run: 'running',
    input: 'waits for input',
    output: 'output backed up',
    disk: 'disk',
    other: 'asleep',
  };
  return [...counts]
    .map(([key, c]) => {
      const all = [...c.values()].reduce((a, b) => a + b, 0);
      const parts = KINDS.filter((k) => (c.get(k) ?? 0) / all >= 0.01).map(
        (k) => `${words[k]} ${(((c.get(k) ?? 0) / all) * 100).toFixed(0)} %`,
      );
      return `${key} ${parts.join(', ')}`;
    })
    .join(' · ');
}
