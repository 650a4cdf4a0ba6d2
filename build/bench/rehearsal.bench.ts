/**
 * A full rehearsal of the synthetic source (10,000 accounts, 20,000 domains, 30,000
 * subscriptions; no content bytes) through `core.rehearsals`: the real target (a sandbox) is
 * listed for its catalogue, a throwaway sandbox is started, the whole plan runs into it through
 * the journal, it is read back object by object, and the outcome is written. Goal: under 10
 * minutes on this 2-core machine. Also checks the real target received no write.
 * `MM_BENCH_REHEARSAL_SCALE=0.1` runs on a tenth of the source (quick look).
 *
 * Both sandboxes run in processes of their own (rehearsal-sandboxes.ts), as migration.bench.ts
 * runs its target: the peak RSS figure is the engine's alone (until 2026-12 it also counted the
 * two sandboxes' tables, 1.5 GB at 1×). The sandboxes' own peaks are printed beside it. Each
 * phase prints its wall time, the engine's CPU time and its peak RSS: planning (until the batch
 * runs), provisioning, the batch's read-back of the target (reconciling), and the rehearsal's
 * outcome (holdings, per-object detail, the record).
 */
import { join } from 'node:path';
import { createCore } from '../../electron/core/core';
import type { JobSummary } from '../../shared/model/migration';
import { BENCH_SCALE, figure, goal, reportGoals } from './goals';
import { copyOfSource, preparedSource } from './prepared-source';
import { startProductionSandbox, throwawayInChild } from './rehearsal-sandboxes';
import { benchTarget } from './sandbox-process';

const scale = Number(process.env['MM_BENCH_REHEARSAL_SCALE'] ?? BENCH_SCALE);
const size = {
  accounts: Math.round(10_000 * scale),
  domains: Math.round(20_000 * scale),
  subscriptions: Math.round(30_000 * scale),
};
const MB = 2 ** 20;

/** Wall, CPU and peak RSS of the phase running now; `next` closes it and opens another. */
function phaseClock(first: string): {
  next(name: string): void;
  end(): { name: string; seconds: number; cpuSeconds: number; peakMb: number }[];
} {
  const done: { name: string; seconds: number; cpuSeconds: number; peakMb: number }[] = [];
  const open = (name: string) => ({
    name,
    t0: performance.now(),
    cpu0: process.cpuUsage(),
    peak: process.memoryUsage().rss,
  });
  let cur = open(first);
  const sampler = setInterval(() => (cur.peak = Math.max(cur.peak, process.memoryUsage().rss)), 100);
  const close = (): void => {
    const cpu = process.cpuUsage(cur.cpu0);
    done.push({
      name: cur.name,
      seconds: (performance.now() - cur.t0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakMb: Math.max(cur.peak, process.memoryUsage().rss) / MB,
    });
  };
  return {
    next: (name) => {
      close();
      cur = open(name);
    },
    end: () => {
      close();
      clearInterval(sampler);
      return done;
    },
  };
}

// A verified project on the synthetic inventory (the one migration.bench.ts migrated, when both
// run under `npm run bench`: built and verified once), copied, pointed at the "production" sandbox.
const source = await preparedSource(size);
const dataDir = await copyOfSource(source, 'mm-bench-rehearsal-');
const projectId = source.projectId;
const production = await startProductionSandbox(join(dataDir, 'production-sandbox'));
const throwawayPeaks: number[] = [];
const core = createCore({ dataDir, shell: 'cli', throwawayTarget: throwawayInChild(throwawayPeaks) });
let productionPeak = 0;
try {
  await core.target.set(
    projectId,
    benchTarget({ poaUrl: production.ready.poaUrl, pbaUrl: production.ready.pbaUrl }),
  );
  const before = await production.ask('digest');

  const t0 = performance.now();
  const clock = phaseClock('planning');
  let phase = 'planning';
  const unsubscribe = core.events.subscribe((event, payload) => {
    if (event !== 'rehearsal:progress') return;
    const p = payload as { phase: string; summary?: JobSummary };
    // 'running' carries the batch's own state: running, then reconciling (its read-back).
    const now =
      p.phase === 'running' ? (p.summary?.state === 'reconciling' ? 'read-back' : 'provisioning') : p.phase;
    const order = ['planning', 'provisioning', 'read-back', 'reading-back'];
    if (order.indexOf(now) > order.indexOf(phase)) {
      phase = now;
      clock.next(now === 'reading-back' ? 'outcome' : now);
    }
  });
  const started = await core.rehearsals.start(projectId, { content: false, concurrency: 8, services: false });
  const record = await started.done;
  const seconds = (performance.now() - t0) / 1000;
  const phases = clock.end();
  unsubscribe();
  if (record.state !== 'done')
    throw new Error(
      `the rehearsal ended ${record.state}: ${record.error ?? record.failures?.[0]?.message ?? ''}`,
    );
  for (const p of phases)
    console.log(
      `  ${p.name.padEnd(12)} ${p.seconds.toFixed(1).padStart(6)} s wall, ${p.cpuSeconds.toFixed(1).padStart(6)} s CPU, peak RSS ${p.peakMb.toFixed(0)} MB`,
    );
  const peak = Math.max(...phases.map((p) => p.peakMb));
  figure('full rehearsal: engine peak RSS', peak, 'MB');
  const untouched = (await production.ask('digest')) === before;
  productionPeak = await production.close();
  console.log(
    `full rehearsal (${size.accounts} accounts / ${size.domains} domains / ${size.subscriptions} subscriptions, no content), concurrency 8: ${record.objects?.migrated} of ${record.objects?.total} objects in ${(seconds / 60).toFixed(1)} min, engine peak RSS ${peak.toFixed(0)} MB (sandboxes apart: throwaway ${((throwawayPeaks[0] ?? 0) / MB).toFixed(0)} MB, production ${(productionPeak / MB).toFixed(0)} MB)   ${goal(
      'full rehearsal of the synthetic source',
      `< ${10 * scale} min`,
      seconds < 600 * scale,
      {
        value: seconds / 60,
        unit: 'min',
      },
    )}`,
  );
  console.log(
    `  would create: ${Object.entries(record.create ?? {})
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  console.log(
    `  real target untouched: ${untouched ? 'yes' : 'NO'}   ${goal('no write to the real target', 'none', untouched)}`,
  );
} finally {
  if (productionPeak === 0) await production.close();
}
reportGoals();
