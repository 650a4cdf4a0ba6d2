/**
 * A full rehearsal of the synthetic source (10,000 accounts, 20,000 domains, 30,000
 * subscriptions; no content bytes) through `core.rehearsals`: the real target (a sandbox) is
 * listed for its catalogue, a throwaway sandbox is started, the whole plan runs into it through
 * the journal, it is read back object by object, and the outcome is written. Goal: under 10
 * minutes on this 2-core machine; the peak RSS is printed. Also checks the real target received
 * no write. `MM_BENCH_REHEARSAL_SCALE=0.1` runs on a tenth of the source (quick look).
 */
import { join } from 'node:path';
import { createCore } from '../../electron/core/core';
import { startRehearsalTarget } from '../../electron/sandbox/rehearsal-target';
import { startSandbox } from '../../electron/sandbox/sandbox';
import { BENCH_SCALE, figure, goal, reportGoals } from './goals';
import { copyOfSource, preparedSource } from './prepared-source';

const scale = Number(process.env['MM_BENCH_REHEARSAL_SCALE'] ?? BENCH_SCALE);
const size = {
  accounts: Math.round(10_000 * scale),
  domains: Math.round(20_000 * scale),
  subscriptions: Math.round(30_000 * scale),
};

// A verified project on the synthetic inventory (the one migration.bench.ts migrated, when both
// run under `npm run bench`: built and verified once), copied, pointed at the "production" sandbox.
const source = await preparedSource(size);
const dataDir = await copyOfSource(source, 'mm-bench-rehearsal-');
const projectId = source.projectId;
const production = await startSandbox({ dataDir: join(dataDir, 'production-sandbox') });
const core = createCore({ dataDir, shell: 'cli', throwawayTarget: startRehearsalTarget });
try {
  await core.target.set(projectId, {
    poaUrl: production.poaUrl,
    poaUser: 'admin',
    poaPassword: 'bench',
    pbaUrl: production.pbaUrl,
    pbaUser: 'admin',
    pbaPassword: 'bench',
  });
  const before = JSON.stringify(production.state());

  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const t0 = performance.now();
  // When each phase began (seconds from the start): planning, the batch, the read-back, the end.
  const phases = new Map<string, number>();
  const unsubscribe = core.events.subscribe((event, payload) => {
    if (event !== 'rehearsal:progress') return;
    const phase = (payload as { phase: string }).phase;
    if (!phases.has(phase)) phases.set(phase, (performance.now() - t0) / 1000);
  });
  const started = await core.rehearsals.start(projectId, { content: false, concurrency: 8, services: false });
  const record = await started.done;
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  if (record.state !== 'done')
    throw new Error(
      `the rehearsal ended ${record.state}: ${record.error ?? record.failures?.[0]?.message ?? ''}`,
    );
  unsubscribe();
  console.log(
    `  phases (s from start): ${[...phases].map(([p, t]) => `${p} ${t.toFixed(1)}`).join(', ')}, end ${seconds.toFixed(1)}`,
  );
  figure('full rehearsal: peak RSS', peak / 2 ** 20, 'MB');
  const untouched = JSON.stringify(production.state()) === before;
  console.log(
    `full rehearsal (${size.accounts} accounts / ${size.domains} domains / ${size.subscriptions} subscriptions, no content), concurrency 8: ${record.objects?.migrated} of ${record.objects?.total} objects in ${(seconds / 60).toFixed(1)} min, peak RSS ${(peak / 2 ** 20).toFixed(0)} MB   ${goal(
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
  await production.close();
}
reportGoals();
