/**
 * Verification of 10,000 accounts / 20,000 domains / 30,000 subscriptions: a full run (index
 * built, every rule) against the goal of under a second, and incremental re-verification after
 * one decision against the goal of ≥ 50× faster than a full run, measured in the same run.
 * Then the run the user waits for — through the service, inventories read and every result
 * stored — against the same goal of under a second. Exits non-zero when a goal is missed.
 */
import { DEFAULT_MIGRATION_SETTINGS } from '../../shared/model/server';
import type { DecisionInput } from '../../shared/model/decision';
import type { Inventory, Subscription } from '../../shared/model/inventory';
import type { VerificationResult } from '../../shared/model/verification';
import { applyPatch, reverify, touchedBy, verifyAll } from '../../electron/core/verification/engine';
import { type VerificationInput, objectKey } from '../../electron/core/verification/input';
import { buildIndex } from '../../electron/core/verification/inventory-index';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Core, createCore } from '../../electron/core/core';
import { figure, goal, reportGoals, scaledSize } from './goals';
import { syntheticInventory, syntheticMapping } from './synthetic';
import { syntheticProject } from './synthetic-project';

const SIZE = scaledSize();
const TODAY = '2025-06-15';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const ms = (n: number): string => `${n.toFixed(n < 10 ? 3 : 1)} ms`;

/** CPU ms (user + system) of this process since `since`: less bent by other work on the machine than wall time. */
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

/**
 * The engine alone: full runs and incremental runs on this process's copy of the inventory.
 * A function of its own, so its index and results (600,000 at --scale 10) are garbage once it
 * returns, instead of weighing on the garbage collector while the service is timed.
 */
function engineRuns(inventory: Inventory, conflicts: readonly Subscription[]): { inc: number } {
  const server = { id: 'bench', name: 'bench', settings: DEFAULT_MIGRATION_SETTINGS, inventory };
  const selection = new Map([
    [
      'bench',
      {
        accounts: new Set(inventory.accounts.map((a) => a.id)),
        domains: new Set(inventory.domains.map((d) => d.id)),
      },
    ],
  ]);
  const base: VerificationInput = {
    servers: [server],
    mappings: new Map(syntheticMapping('bench').map((m) => [objectKey(m.serverId, m.templateId), m])),
    selection,
    decisions: { overrides: new Set(), approvals: new Map() },
    today: TODAY,
  };

  console.log(
    `synthetic inventory: ${inventory.accounts.length} accounts, ${inventory.domains.length} domains, ${inventory.subscriptions.length} subscriptions, ${inventory.templates.length} templates`,
  );

  // Full runs: the index is rebuilt each time (as after an inventory fetch) and every group verified.
  const fullTimes: number[] = [];
  const fullCpu: number[] = [];
  const verifyOnlyTimes: number[] = [];
  let results = new Map<string, VerificationResult>();
  for (let i = 0; i < 7; i++) {
    // Each timed run starts as the first did, with no results alive: the previous run's (600,000
    // at --scale 10) would otherwise stay alive through this one, twice the heap to collect.
    results.clear();
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const index = buildIndex(base.servers);
    const t1 = performance.now();
    results = verifyAll(index, base);
    const t2 = performance.now();
    if (i >= 2) {
      fullTimes.push(t2 - t0);
      fullCpu.push(cpuMs(c0));
      verifyOnlyTimes.push(t2 - t1);
    }
  }
  const index = buildIndex(base.servers);
  const counts: Record<string, number> = {};
  for (const r of results.values())
    counts[`${r.kind}:${r.status}`] = (counts[`${r.kind}:${r.status}`] ?? 0) + 1;
  console.log(
    `results: ${results.size} (${Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
  );

  // Incremental runs: one decision each (override the second hosting subscription of a conflict),
  // recomputing only what it touched and patching the full results.
  const incTimes: number[] = [];
  let recomputed = 0;
  const overrides = new Set<string>();
  for (const sub of conflicts.slice(0, 60)) {
    overrides.add(objectKey('bench', sub.id));
    const input: VerificationInput = {
      ...base,
      decisions: { overrides: new Set(overrides), approvals: new Map() },
    };
    const change: DecisionInput = { kind: 'override', serverId: 'bench', subscriptionId: sub.id };
    const t0 = performance.now();
    const patch = reverify(index, input, results, touchedBy(index, change));
    applyPatch(results, patch);
    incTimes.push(performance.now() - t0);
    recomputed += patch.recomputed;
  }
  incTimes.splice(0, 10); // warm-up

  const full = median(fullTimes);
  const inc = median(incTimes);
  const ratio = full / inc;
  console.log(
    `full verification (index + rules), median of ${fullTimes.length}: ${ms(full)}   ${goal('full verification', '< 1000 ms', full < 1000, { value: full, unit: 'ms' })}`,
  );
  console.log(`  CPU (user + system, all threads incl. the collector's), median: ${ms(median(fullCpu))}`);
  figure('full verification CPU', median(fullCpu), 'ms');
  console.log(`  of which rules only (index cached): ${ms(median(verifyOnlyTimes))}`);
  console.log(
    `incremental after one decision, median of ${incTimes.length}: ${ms(inc)} (${(recomputed / conflicts.slice(0, 60).length).toFixed(1)} results recomputed per decision)`,
  );
  console.log(
    `ratio full / incremental: ${ratio.toFixed(0)}×   ${goal('full / incremental', '≥ 50×', ratio >= 50, { value: ratio, unit: '×' })}`,
  );
  return { inc };
}

/**
 * The engine's figures, then a project on the same inventory for the services. The bench's own
 * copy of the inventory lives only in here: the service reads its own from the project's store,
 * as the app does, and the bench's copy must not weigh on the service's timings.
 */
async function prepare(): Promise<{
  inc: number;
  conflicts: readonly Subscription[];
  core: Core;
  projectId: string;
}> {
  const inventory = syntheticInventory({ ...SIZE, today: TODAY });
  const conflicts = inventory.subscriptions.filter(
    (s) => s.id.startsWith('x-') && s.templateId.startsWith('host-'),
  );
  const { inc } = engineRuns(inventory, conflicts);
  const dataDir = await mkdtemp(join(tmpdir(), 'mm-bench-verify-'));
  const core = createCore({ dataDir, shell: 'cli' });
  const projectId = await syntheticProject(core, 'Bench', inventory, dataDir);
  return { inc, conflicts, core, projectId };
}

const { inc, conflicts, core, projectId } = await prepare();
globalThis.gc?.();

// The same through the services, as the app and `mm` do it: a full run stores every result;
// a decision records itself, re-verifies what it touched and appends the patch to the journal.
const serviceFull: number[] = [];
const serviceFullCpu: number[] = [];
for (let i = 0; i < 3; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await core.verification.run(projectId);
  serviceFull.push(performance.now() - t0);
  serviceFullCpu.push(cpuMs(c0));
}
const serviceDecision: number[] = [];
for (const sub of conflicts.slice(60, 80)) {
  const t0 = performance.now();
  const r = await core.decisions.apply(projectId, {
    kind: 'override',
    serverId: 'bench',
    subscriptionId: sub.id,
  });
  serviceDecision.push(performance.now() - t0);
  if (!r.reverified) throw new Error('the decision did not re-verify');
}
const sf = median(serviceFull);
const sd = median(serviceDecision);
const stored = await core.verification.rows(projectId, { limit: 1 });
console.log(
  `service: full run with storing (${stored.total} results), median of ${serviceFull.length}: ${ms(sf)}   ${goal('service full run', '< 1000 ms', sf < 1000, { value: sf, unit: 'ms' })}`,
);
console.log(`  CPU (user + system, all threads), median: ${ms(median(serviceFullCpu))}`);
figure('service full run CPU', median(serviceFullCpu), 'ms');
console.log(
  `service: one decision recorded + re-verified + stored, median of ${serviceDecision.length}: ${ms(sd)}; ratio ${(sf / sd).toFixed(0)}×`,
);
figure('incremental verification after one decision', inc, 'ms');
figure('one decision recorded, re-verified and stored (service)', sd, 'ms');
reportGoals();
