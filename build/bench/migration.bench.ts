/**
 * Provisioning throughput of the migration engine against the sandbox target over real HTTP,
 * through the whole service (plan, journal with fsync, executor, POA/PBA adapter, read-back):
 *  1. steps per second at concurrency 1, 4 and 8, without and with 20 ms of latency per call
 *     (a proxy in front of the sandbox), and the parallel efficiency at 8 with latency
 *     (goal ≥ 0.8: rate₈ / (8 × rate₁));
 *  2. the whole synthetic source (10,000 accounts, 20,000 domains, 30,000 subscriptions)
 *     migrated into a fresh sandbox (goal: under 10 minutes on this 2-core machine).
 * `MM_BENCH_MIGRATION_SCALE=0.1` runs part 2 on a tenth of the source (quick look);
 * `MM_BENCH_MIGRATION_PART=1` or `=2` runs only that part. The whole source is prepared once per
 * `npm run bench` (prepared-source.ts) and its copy rehearsed by rehearsal.bench.ts.
 * The sandbox runs in a process of its own, as a real target runs on another machine.
 */
import { join } from 'node:path';
import { type Core, createCore } from '../../electron/core/core';
import type { JobSummary } from '../../shared/model/migration';
import { BENCH_SCALE, figure, goal, reportGoals, scaledSize } from './goals';
import { startLatencyProxy } from './latency-proxy';
import { type Mark, type PhaseCost, between, heapAt, mark, profilePhase } from './phase-meter';
import { copyOfSource, type PreparedSource, preparedSource } from './prepared-source';
import { benchTarget, startSandboxProcess } from './sandbox-process';

interface RunResult {
  readonly summary: JobSummary;
  readonly seconds: number;
  readonly stepsPerSecond: number;
  /** Steps per second while provisioning: from the first step to the read-back. */
  readonly provisioningRate: number;
  /** Wall seconds per phase: until the batch runs (planning), its steps, the read-back. */
  readonly phases: {
    readonly planning: number;
    readonly provisioning: number;
    readonly readBack: number;
    /** The post-migration checks the batch runs once it has read back (core/checks). */
    readonly checks: number;
  };
  /** Wall and CPU seconds of the engine and of the sandbox, per phase. */
  readonly costs: {
    readonly planning: PhaseCost;
    readonly provisioning: PhaseCost;
    readonly readBack: PhaseCost;
    readonly checks: PhaseCost;
  };
  /** The engine's heap in use after a full collection when the batch runs and when it reconciles. */
  readonly heap: { readonly running: number; readonly reconciling: number; readonly collected: boolean };
  readonly peakRssMb: number;
}

/** One batch on a copy of the prepared project into a fresh sandbox (behind a latency proxy or not). */
async function migrateOnce(
  prepared: PreparedSource,
  concurrency: number,
  latencyMs: number,
  /** Say when planning is over (a long run's first figure, and a sign of life). */
  announce = false,
): Promise<RunResult> {
  const dataDir = await copyOfSource(prepared, 'mm-bench-run-');
  const sandbox = await startSandboxProcess(join(dataDir, 'sandbox'));
  const proxies =
    latencyMs > 0
      ? [
          await startLatencyProxy(sandbox.poaUrl, latencyMs),
          await startLatencyProxy(sandbox.pbaUrl, latencyMs),
        ]
      : [];
  const core: Core = createCore({ dataDir, shell: 'cli' });
  try {
    await core.target.set(
      prepared.projectId,
      benchTarget({ poaUrl: proxies[0]?.url ?? sandbox.poaUrl, pbaUrl: proxies[1]?.url ?? sandbox.pbaUrl }),
    );
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
    // The provisioning phase: from "running" to "reconciling" (planning before it and the
    // read-back after it are the same at every concurrency). At each boundary the heap is
    // measured after a full collection, outside both phases (the events are sent synchronously).
    let running: ReturnType<typeof heapAt> | undefined;
    let reconciling: ReturnType<typeof heapAt> | undefined;
    // The executor's last summary (done, failed…) comes before the checks after the batch.
    let settled: Mark | undefined;
    // Planning too (MM_BENCH_CPU_PROFILE): from the start until the batch runs.
    let stopProfile: (() => Promise<void>) | undefined = profilePhase('planning');
    const unsubscribe = core.events.subscribe((event, payload) => {
      if (event !== 'migration:progress') return;
      const state = (payload as JobSummary).state;
      if (state === 'running' && !running) {
        void stopProfile?.();
        if (announce)
          console.log(
            `  planning: ${((performance.now() - start.wall) / 1000).toFixed(1)} s, the batch runs`,
          );
        running = heapAt('running', sandbox.pid);
        stopProfile = profilePhase('provisioning');
      }
      if (state === 'reconciling' && !reconciling) {
        void stopProfile?.();
        reconciling = heapAt('reconciling', sandbox.pid);
        stopProfile = profilePhase('read-back');
      }
      if (reconciling && !settled && state !== 'reconciling') {
        settled = mark(sandbox.pid);
        void stopProfile?.();
        stopProfile = profilePhase('checks');
      }
    });
    const start: Mark = mark(sandbox.pid);
    const started = await core.migration.start(prepared.projectId, { concurrency, services: false });
    const summary = await started.done;
    const end = mark(sandbox.pid);
    await stopProfile?.();
    const seconds = (end.wall - start.wall) / 1000;
    clearInterval(sampler);
    unsubscribe();
    if (summary.state !== 'done')
      throw new Error(`the batch ended ${summary.state}: ${summary.failures[0]?.message ?? ''}`);
    if (!running || !reconciling || !settled)
      throw new Error('the batch never reported running, reconciling and its end');
    if (process.env['MM_BENCH_SANDBOX_CPU_PROF'])
      // For cutting the processes' CPU profiles to a phase (both clocks are CLOCK_MONOTONIC, in µs).
      console.log(
        `  monotonic µs: provisioning ${running.after.monotonicUs}-${reconciling.before.monotonicUs}, read-back ${reconciling.after.monotonicUs}-${settled.monotonicUs}, checks ${settled.monotonicUs}-${end.monotonicUs}`,
      );
    const costs = {
      planning: between(start, running.before),
      provisioning: between(running.after, reconciling.before),
      readBack: between(reconciling.after, settled),
      checks: between(settled, end),
    };
    const provisioning = Math.max(costs.provisioning.seconds, 0.001);
    return {
      summary,
      seconds,
      phases: {
        planning: costs.planning.seconds,
        provisioning,
        readBack: costs.readBack.seconds,
        checks: costs.checks.seconds,
      },
      costs,
      heap: { running: running.usedBytes, reconciling: reconciling.usedBytes, collected: running.collected },
      stepsPerSecond: summary.steps.done / seconds,
      provisioningRate: summary.steps.done / provisioning,
      peakRssMb: peak / 2 ** 20,
    };
  } finally {
    for (const p of proxies) p.server.close();
    await sandbox.stop();
  }
}

// 1. Throughput and parallel efficiency (a small source: 60 accounts, 120 domains).
// MM_BENCH_MIGRATION_PART=2 skips it (to profile the whole-source run alone).
if (process.env['MM_BENCH_MIGRATION_PART'] !== '2') await throughput();

// 2. The whole synthetic source into a fresh sandbox. MM_BENCH_MIGRATION_PART=1 skips it.
if (process.env['MM_BENCH_MIGRATION_PART'] !== '1') await wholeSource();
reportGoals();

async function wholeSource(): Promise<void> {
  const scale = Number(process.env['MM_BENCH_MIGRATION_SCALE'] ?? BENCH_SCALE);
  const size = scaledSize(scale);
  const big = await preparedSource(size);
  const whole = await migrateOnce(big, 8, 0, true);
  const r = whole.summary.reconciliation;
  console.log(
    `whole source (${size.accounts} accounts / ${size.domains} domains / ${size.subscriptions} subscriptions), concurrency 8: ${whole.summary.objects.migrated} of ${whole.summary.objects.total} objects, ${whole.summary.steps.done} steps in ${(whole.seconds / 60).toFixed(1)} min (${whole.stepsPerSecond.toFixed(0)} steps/s), peak RSS ${whole.peakRssMb.toFixed(0)} MB   ${goal(
      'whole synthetic source migrated',
      `< ${10 * scale} min`,
      whole.seconds < 600 * scale,
      {
        value: whole.seconds / 60,
        unit: 'min',
      },
    )}`,
  );
  figure('whole source: steps per second', whole.stepsPerSecond, 'steps/s');
  // Which phase grows from 1x to 10x (the whole batch was 12.98x on 2026-12-01, its steps not).
  const p = whole.phases;
  console.log(
    `  phases: planning ${p.planning.toFixed(1)} s, provisioning ${p.provisioning.toFixed(1)} s (${whole.provisioningRate.toFixed(0)} steps/s), read-back ${p.readBack.toFixed(1)} s, checks after the batch ${p.checks.toFixed(1)} s`,
  );
  figure('whole source: planning', p.planning, 's');
  figure('whole source: provisioning steps per second', whole.provisioningRate, 'steps/s');
  figure('whole source: read-back', p.readBack, 's');
  figure('whole source: checks after the batch', p.checks, 's');
  figure('whole source: engine peak RSS', whole.peakRssMb, 'MB');
  // CPU seconds per phase (wall time stretches under load, CPU much less), the read-back per
  // object read, and the engine's heap per step: what shows a phase growing faster than the batch.
  const c = whole.costs;
  const steps = whole.summary.steps.done;
  const readObjects = r ? Object.values(r).reduce((n, v) => n + v.planned, 0) : 0;
  const cpu = (x: PhaseCost): string =>
    `engine ${x.engineCpu.toFixed(1)} s + sandbox ${x.sandboxCpu.toFixed(1)} s CPU`;
  console.log(
    `  CPU: planning ${cpu(c.planning)}; provisioning ${cpu(c.provisioning)}; read-back ${cpu(c.readBack)}; checks ${cpu(c.checks)}`,
  );
  const perObject = (x: number): number => (readObjects > 0 ? (x * 1e6) / readObjects : 0);
  console.log(
    `  read-back per object read (${readObjects}): ${perObject(c.readBack.seconds).toFixed(0)} µs wall, engine ${perObject(c.readBack.engineCpu).toFixed(0)} µs + sandbox ${perObject(c.readBack.sandboxCpu).toFixed(0)} µs CPU`,
  );
  const mb = (b: number): string => (b / 2 ** 20).toFixed(0);
  console.log(
    `  engine heap in use${whole.heap.collected ? ' after a full collection' : ' (no --expose-gc: with garbage)'}: ${mb(whole.heap.running)} MB when the batch runs, ${mb(whole.heap.reconciling)} MB when it reconciles = ${(whole.heap.running / steps).toFixed(0)} and ${(whole.heap.reconciling / steps).toFixed(0)} bytes per step`,
  );
  figure('whole source: engine CPU while provisioning', c.provisioning.engineCpu, 's');
  figure('whole source: sandbox CPU while provisioning', c.provisioning.sandboxCpu, 's');
  figure('whole source: engine CPU while reading back', c.readBack.engineCpu, 's');
  figure('whole source: sandbox CPU while reading back', c.readBack.sandboxCpu, 's');
  figure('whole source: read-back per object read', perObject(c.readBack.seconds), 'µs');
  figure('whole source: engine heap when the batch runs', whole.heap.running / 2 ** 20, 'MB');
  figure('whole source: engine heap when it reconciles', whole.heap.reconciling / 2 ** 20, 'MB');
  figure('whole source: engine heap per step when it reconciles', whole.heap.reconciling / steps, 'bytes');
  if (r)
    console.log(
      `  read back: ${Object.entries(r)
        .filter(([, v]) => v.planned > 0)
        .map(([k, v]) => `${k} ${v.found}/${v.planned}`)
        .join(', ')}`,
    );
}

async function throughput(): Promise<void> {
  const small = await preparedSource({ accounts: 60, domains: 120, subscriptions: 180 });
  // Concurrency 1 works through its steps one by one: its rate does not depend on how many
  // there are, so a third of the source gives the same figure in a third of the time (the
  // slowest point of the series: 20 ms × every call). Concurrency 4 and 8 keep the 60 accounts,
  // so ramp-up and tail weigh in their rates as much as before.
  const sequential = await preparedSource({ accounts: 20, domains: 40, subscriptions: 60 });
  console.log(
    'provisioning throughput (60 accounts / 120 domains / 180 subscriptions per run at concurrency 4 and 8, 20 / 40 / 60 at concurrency 1; fresh sandbox each):',
  );
  const rates = new Map<string, number>();
  for (const latency of [0, 20]) {
    for (const concurrency of [1, 4, 8]) {
      const r = await migrateOnce(concurrency === 1 ? sequential : small, concurrency, latency);
      rates.set(`${latency}/${concurrency}`, r.provisioningRate);
      rates.set(`whole ${latency}/${concurrency}`, r.stepsPerSecond);
      figure(
        `provisioning, latency ${latency} ms, concurrency ${concurrency}`,
        r.provisioningRate,
        'steps/s',
      );
      console.log(
        `  latency ${String(latency).padStart(2)} ms, concurrency ${concurrency}: ${r.summary.steps.done} steps in ${r.seconds.toFixed(1)} s = ${r.stepsPerSecond.toFixed(1)} steps/s; provisioning ${r.provisioningRate.toFixed(1)} steps/s`,
      );
    }
  }
  for (const latency of [0, 20]) {
    const one = rates.get(`${latency}/1`) ?? 0;
    const eff4 = (rates.get(`${latency}/4`) ?? 0) / (4 * one);
    const eff8 = (rates.get(`${latency}/8`) ?? 0) / (8 * one);
    const whole8 = (rates.get(`whole ${latency}/8`) ?? 0) / (8 * (rates.get(`whole ${latency}/1`) ?? 0));
    const line = `  parallel efficiency of provisioning, latency ${latency} ms: ×4 ${eff4.toFixed(2)}, ×8 ${eff8.toFixed(2)} (whole batch with planning and read-back: ×8 ${whole8.toFixed(2)})`;
    console.log(
      latency === 20
        ? `${line}   ${goal('parallel efficiency at 8 with 20 ms latency', '≥ 0.8', eff8 >= 0.8, { value: eff8, unit: '' })}`
        : line,
    );
  }
}
