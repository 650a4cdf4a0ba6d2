/**
 * Planning's growth from 1× to N× (issue 19: every figure at 10× within 12× of its 1×), without
 * migrating: planning-only runs at 1× and at N×, alternated for a few rounds, so both scales see
 * the same moments of the machine. The migration bench's 10× run takes ~45 minutes and gives one
 * planning figure; this gives several of each in a few minutes.
 *
 *   npm run bench:planning [-- N [rounds]]      (N = 10, rounds = 3)
 *
 * A run is what the migration bench calls planning: a copy of the prepared synthetic source, a
 * sandbox in its own process, `migration.start`, timed until the batch reports `running`. Each
 * run is a process of its own with the engine's V8 flags (a fresh heap, as the bench's), which
 * ends there: its copy and sandbox go with its temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuUsage } from 'node:process';
import { fileURLToPath } from 'node:url';
import { createCore } from '../../electron/core/core';
import { ENGINE_V8_FLAGS } from '../../electron/v8-flags.mjs';
import type { JobSummary } from '../../shared/model/migration';
import { scaledSize } from './goals';
import { copyOfSource, preparedSource } from './prepared-source';
import { benchTarget, startSandboxProcess } from './sandbox-process';

interface PlanningRun {
  readonly scale: number;
  /** Wall seconds from `migration.start` until the batch runs. */
  readonly wall: number;
  /** The engine's CPU seconds over the same span (all its threads: the collector's too). */
  readonly cpu: number;
  readonly steps: number;
}

/** One planning run in this process; the line it prints starts with `RUN `. */
async function planOnce(scale: number): Promise<void> {
  const prepared = await preparedSource(scaledSize(scale));
  const dataDir = await copyOfSource(prepared, 'mm-planning-');
  const sandbox = await startSandboxProcess(join(dataDir, 'sandbox'));
  const core = createCore({ dataDir, shell: 'cli' });
  await core.target.set(prepared.projectId, benchTarget({ poaUrl: sandbox.poaUrl, pbaUrl: sandbox.pbaUrl }));
  global.gc?.();
  const running = new Promise<PlanningRun>((resolve) => {
    const t0 = performance.now();
    const c0 = cpuUsage();
    core.events.subscribe((event, payload) => {
      const summary = payload as JobSummary;
      if (event !== 'migration:progress' || summary.state !== 'running') return;
      const c = cpuUsage(c0);
      resolve({
        scale,
        wall: (performance.now() - t0) / 1000,
        cpu: (c.user + c.system) / 1e6,
        steps: summary.steps.total,
      });
    });
  });
  await core.migration.start(prepared.projectId, { concurrency: 8, services: false });
  console.log(`RUN ${JSON.stringify(await running)}`);
  await sandbox.stop();
  // The batch goes on in the background; it is not what is measured.
  process.exit(0);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Runs `planOnce` in a child process (sharing the prepared sources) and reads its result. */
function child(scale: number, sharedDir: string): PlanningRun {
  const scratch = mkdtempSync(join(tmpdir(), 'mm-planning-run-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        ...ENGINE_V8_FLAGS,
        '--expose-gc',
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--one',
        String(scale),
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, TMPDIR: scratch, MM_BENCH_SHARED_DIR: sharedDir },
        maxBuffer: 16 * 2 ** 20,
      },
    );
    const line = r.stdout.split('\n').find((l) => l.startsWith('RUN '));
    if (!line) throw new Error(`the planning run at ${scale}× gave no result:\n${r.stderr.slice(-2000)}`);
    return JSON.parse(line.slice(4)) as PlanningRun;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--one') return planOnce(Number(argv[1]));
  const scale = Number(argv[0] ?? 10);
  const rounds = Number(argv[1] ?? 3);
  if (!(scale > 1) || !Number.isInteger(rounds) || rounds < 1)
    throw new Error(`usage: planning-growth.ts [N > 1] [rounds ≥ 1], not "${argv.join(' ')}"`);
  // The sources are prepared once (by the first run at each scale) and copied by every run.
  const sharedDir = mkdtempSync(join(tmpdir(), 'mm-planning-shared-'));
  try {
    const runs: PlanningRun[] = [];
    for (let r = 1; r <= rounds; r++)
      for (const s of [1, scale]) {
        const run = child(s, sharedDir);
        runs.push(run);
        console.log(
          `round ${r}, ${s}×: planning ${run.wall.toFixed(2)} s wall, ${run.cpu.toFixed(2)} s CPU (${run.steps} steps)`,
        );
      }
    const at = (s: number, k: 'wall' | 'cpu'): number[] => runs.filter((x) => x.scale === s).map((x) => x[k]);
    for (const k of ['wall', 'cpu'] as const) {
      const one = median(at(1, k));
      const big = median(at(scale, k));
      const growth = big / one;
      console.log(
        `planning ${k}: median ${one.toFixed(2)} s at 1×, ${big.toFixed(2)} s at ${scale}× = ${growth.toFixed(2)}×   [goal ≤ ${Number((1.2 * scale).toFixed(1))}×: ${growth <= 1.2 * scale ? 'met' : 'MISSED'}]`,
      );
    }
  } finally {
    rmSync(sharedDir, { recursive: true, force: true });
  }
}

await main(process.argv.slice(2));
