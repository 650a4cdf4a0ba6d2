/**
 * Team scale (issue 15) on a real PostgreSQL started here:
 *  1. batch throughput with 1, 2 and 4 `mm worker` processes on a shared project, against the
 *     sandbox behind 20 ms of latency per call (a target across a WAN), each run a fresh project
 *     and sandbox; throughput is steps over the provisioning time (first intent to last outcome
 *     in the shared journal, so the workers' start-up is not counted), and the scaling
 *     efficiency at 4 is rate₄ / (4 × rate₁) (goal ≥ 0.8: the work is waiting on the target);
 *     The sandbox runs in a process of its own, as a real target on another machine.
 *  2. the cost of one decision on the shared store next to the file store (no re-verification:
 *     the store's part).
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../../electron/core/core';
import { moveProjectToPostgres } from '../../electron/core/store/postgres-move';
import { closeAllPgStores, pgStoreFor } from '../../electron/core/store/postgres-store';
import { startSpreadBatch, waitForSpreadBatch } from '../../electron/core/workers/worker';
import { startPostgres } from '../../test/helpers/postgres';
import { figure, goal, reportGoals } from './goals';
import { startLatencyProxy } from './latency-proxy';
import { benchTarget, startSandboxProcess } from './sandbox-process';
import { syntheticInventory } from './synthetic';
import { syntheticProject } from './synthetic-project';
import { ENGINE_V8_FLAGS } from '../../electron/v8-flags.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const LATENCY_MS = 20;
const SIZE = { accounts: 60, domains: 120, subscriptions: 180 };

const pg = await startPostgres({ database: 'mmbench', user: 'mm' });
process.env['PGPASSWORD'] = pg.password;
const url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
const dataDir = await mkdtemp(join(tmpdir(), 'mm-bench-workers-'));
const inventory = syntheticInventory({ ...SIZE, today: new Date().toISOString().slice(0, 10) });

/** A `mm worker` process; stopped with SIGTERM (it gives back nothing: the batch is done by then). */
function workerProcess(projectId: string): { stop(): Promise<number> } {
  const child = spawn(
    process.execPath,
    // as `mm` starts (its shebang's V8 flags)
    [...ENGINE_V8_FLAGS, 'electron/cli/mm.mjs', 'worker', '--project', projectId, '--data-dir', dataDir],
    { cwd: REPO, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const closed = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  // the bench failing must not leave workers running
  const orphan = (): void => void child.kill('SIGKILL');
  process.once('exit', orphan);
  return {
    stop: () => {
      process.off('exit', orphan);
      child.kill('SIGTERM');
      return closed;
    },
  };
}

/** A fresh verified project on the shared store, pointed at a fresh sandbox behind the proxy. */
async function sharedProject(name: string): Promise<{ projectId: string; close(): Promise<void> }> {
  const core = createCore({ dataDir, shell: 'cli' });
  const projectId = await syntheticProject(core, name, inventory, dataDir);
  await core.verification.run(projectId);
  const sandbox = await startSandboxProcess(await mkdtemp(join(tmpdir(), 'mm-bench-sandbox-')));
  const proxies = [
    await startLatencyProxy(sandbox.poaUrl, LATENCY_MS),
    await startLatencyProxy(sandbox.pbaUrl, LATENCY_MS),
  ];
  await core.target.set(
    projectId,
    benchTarget({ poaUrl: proxies[0]?.url ?? '', pbaUrl: proxies[1]?.url ?? '' }),
  );
  await moveProjectToPostgres(core.projects.projectDir(projectId), projectId, url);
  return {
    projectId,
    close: async () => {
      for (const p of proxies) p.server.close();
      await sandbox.stop();
    },
  };
}

async function spreadRun(count: number): Promise<{ steps: number; seconds: number; rate: number }> {
  const project = await sharedProject(`Bench ${count} workers`);
  try {
    // a core made after the move reads the project from the database
    const core = createCore({ dataDir, shell: 'cli' });
    // the workers first, all registered and polling, so their start-up is not part of the run
    const workers = Array.from({ length: count }, () => workerProcess(project.projectId));
    try {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const { rows } = await pgStoreFor(url).query<{ n: string }>(
          'SELECT count(*) AS n FROM mm_workers WHERE project_id = $1',
          [project.projectId],
        );
        if (Number(rows[0]?.n) >= count) break;
        if (Date.now() > deadline) throw new Error('the workers did not start');
        await new Promise((r) => setTimeout(r, 200));
      }
      const started = await startSpreadBatch(core, project.projectId, { concurrency: 4, force: 'bench' });
      const job = await waitForSpreadBatch(core, project.projectId, started.jobId, 600_000);
      if (job.state !== 'done') throw new Error(`the batch ended ${job.state}: ${job.message ?? ''}`);
    } finally {
      const codes = await Promise.all(workers.map((w) => w.stop()));
      if (codes.some((c) => c !== 0)) console.error(`a worker exited ${codes.join(', ')}`);
    }
    const { rows } = await pgStoreFor(url).query<{ steps: string; seconds: number }>(
      `SELECT count(*) FILTER (WHERE entry->>'t' = 'outcome') AS steps,
              extract(epoch FROM max(at) FILTER (WHERE entry->>'t' = 'outcome') - min(at) FILTER (WHERE entry->>'t' = 'intent')) AS seconds
       FROM mm_journal WHERE project_id = $1`,
      [project.projectId],
    );
    const steps = Number(rows[0]?.steps ?? 0);
    const seconds = Number(rows[0]?.seconds ?? 0);
    return { steps, seconds, rate: steps / seconds };
  } finally {
    await project.close();
  }
}

/** Mean time of one decision (each on another subscription, so every one changes something). */
async function decisionCost(shared: boolean): Promise<number> {
  const core = createCore({ dataDir, shell: 'cli' });
  const projectId = await syntheticProject(
    core,
    shared ? 'Decide shared' : 'Decide files',
    inventory,
    dataDir,
  );
  await core.verification.run(projectId);
  let target = core;
  if (shared) {
    await moveProjectToPostgres(core.projects.projectDir(projectId), projectId, url);
    target = createCore({ dataDir, shell: 'cli' });
  }
  const serverId = (await target.servers.list(projectId))[0]?.id ?? '';
  const subs = inventory.subscriptions.slice(0, 20);
  const input = (id: string) => ({ kind: 'override' as const, serverId, subscriptionId: id });
  // warm-up: open the documents once
  await target.decisions.apply(projectId, input(subs[0]?.id ?? ''), 'bench', { reverify: false });
  const t0 = performance.now();
  for (const s of subs.slice(1))
    await target.decisions.apply(projectId, input(s.id), 'bench', { reverify: false });
  return (performance.now() - t0) / (subs.length - 1);
}

try {
  console.log(
    `batch throughput on a shared project (${SIZE.accounts} accounts / ${SIZE.domains} domains, ${LATENCY_MS} ms per target call, fresh project and sandbox each):`,
  );
  const rates = new Map<number, number>();
  for (const workers of [1, 2, 4]) {
    const r = await spreadRun(workers);
    rates.set(workers, r.rate);
    figure(`${workers} worker(s), ${LATENCY_MS} ms latency`, r.rate, 'steps/s');
    console.log(
      `  ${workers} worker(s): ${r.steps} steps in ${r.seconds.toFixed(1)} s = ${r.rate.toFixed(1)} steps/s`,
    );
  }
  const eff = (rates.get(4) ?? 0) / (4 * (rates.get(1) ?? 1));
  console.log(
    `  scaling efficiency at 4 workers: ${eff.toFixed(2)}   ${goal('scaling efficiency at 4 workers, 20 ms latency', '≥ 0.8', eff >= 0.8, { value: eff, unit: '' })}`,
  );
  const files = await decisionCost(false);
  const shared = await decisionCost(true);
  figure('one decision, file store', files, 'ms');
  console.log(
    `one decision (no re-verification): file store ${files.toFixed(1)} ms, shared store ${shared.toFixed(1)} ms`,
  );
  console.log(
    `  ${goal('one decision on the shared store', '< 100 ms', shared < 100, { value: shared, unit: 'ms' })}`,
  );
} finally {
  await closeAllPgStores();
  await pg.stop();
}
reportGoals();
