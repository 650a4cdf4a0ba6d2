/**
 * How long a simple `mm` command takes (`mm project list` on an empty data dir), from the prebuilt
 * bundle (out/cli/mm.mjs, what `npm run build` makes) and from the TypeScript sources through tsx,
 * next to a bare `node -e ''` measured in the same run. Goal: under 0.5 s from the bundle.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goal, reportGoals } from './goals';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = 7;

function medianMs(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] ?? NaN;
}

function node(args: string[], env: NodeJS.ProcessEnv = {}): void {
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

// The bundle must match the sources, or the launcher falls back to tsx and this measures nothing.
node(['build/bundle-electron.mjs']);
const dataDir = await mkdtemp(join(tmpdir(), 'mm-bench-cli-'));
try {
  const mm = ['electron/cli/mm.mjs', '--data-dir', dataDir, 'project', 'list'];
  const bare = medianMs(() => node(['-e', '']));
  const bundled = medianMs(() => node(mm));
  const sources = medianMs(() => node(mm, { MM_FROM_SOURCE: '1' }));
  console.log(`bare node -e '':          ${bare.toFixed(0)} ms (median of ${RUNS})`);
  console.log(
    `mm project list, bundle:  ${bundled.toFixed(0)} ms (${(bundled / bare).toFixed(1)}× bare node) ` +
      goal('mm project list', '< 500 ms', bundled < 500),
  );
  console.log(
    `mm project list, sources: ${sources.toFixed(0)} ms (tsx; what the bundle saves: ${(sources - bundled).toFixed(0)} ms)`,
  );
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
reportGoals();
