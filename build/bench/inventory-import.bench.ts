/**
 * Inventory import of a synthetic 10,000 accounts / 20,000 domains / 30,000 subscriptions
 * document: guard, XSD validation, parsing into the model and storing, each timed, against a
 * bare fast-xml-parser parse of the same file measured in this run (goal: whole import ≤ 2×).
 * Also: peak RSS, store size, and the renderer's table filter over the 20,000 domain rows.
 */
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { createCore } from '../../electron/core/core';
import { domainRows } from '../../electron/core/inventory/inventory-rows';
import { inventoryToXml } from './inventory-xml';
import { syntheticInventory } from './synthetic';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number): string => `${n.toFixed(0)} ms`;

const dir = await mkdtemp(join(tmpdir(), 'mm-bench-'));
const file = join(dir, 'platform.xml');
let t = performance.now();
await writeFile(
  file,
  inventoryToXml(syntheticInventory({ accounts: 10_000, domains: 20_000, subscriptions: 30_000 })),
);
const bytes = (await stat(file)).size;
console.log(
  `synthetic document: ${(bytes / 1048576).toFixed(1)} MB, written in ${ms(performance.now() - t)}`,
);

// Baseline: a bare fast-xml-parser parse of the same text (attributes on, like ours).
const bare: number[] = [];
for (let i = 0; i < 3; i++) {
  const text = await readFile(file, 'utf8');
  t = performance.now();
  new XMLParser({ ignoreAttributes: false }).parse(text);
  bare.push(performance.now() - t);
}
const bareMs = median(bare);

const core = createCore({ dataDir: join(dir, 'data'), shell: 'cli' });
const project = await core.projects.create('Bench');
await core.servers.add(project.id, {
  name: 'src',
  kind: 'hsphere',
  connection: { type: 'local', root: dir },
});

const runs: { total: number; validate: number; parse: number; wall: number; store: number }[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const r = await core.inventory.importFile(project.id, 'src', file);
  const total = performance.now() - t0;
  const tm = r.timings!;
  runs.push({ total, validate: tm.validateMs, parse: tm.parseMs, wall: tm.wallMs, store: tm.storeMs });
}
const best = runs.sort((a, b) => a.total - b.total)[Math.floor(runs.length / 2)]!;

// The same import with the WebAssembly validator (what a workstation without xmllint uses).
process.env['MM_XSD_VALIDATOR'] = 'wasm';
const wasmRuns: number[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  await core.inventory.importFile(project.id, 'src', file);
  wasmRuns.push(performance.now() - t0);
}
delete process.env['MM_XSD_VALIDATOR'];
const wasmMs = median(wasmRuns);
const storeBytes = (await stat(join(core.projects.projectDir(project.id), 'inventory', 'src.json'))).size;

const inventory = (await core.inventory.load(project.id, 'src'))!;
const rows = domainRows('src', inventory);
const texts = rows.map((r) => Object.values(r).join('\u0001').toLowerCase());
const filterTimes: number[] = [];
for (const q of ['d1', 'd12', 'd123', 'd1234', 'example', 'acc-99']) {
  const f0 = performance.now();
  rows.filter((_, i) => texts[i]!.includes(q));
  filterTimes.push(performance.now() - f0);
}

console.log(
  `accounts ${inventory.accounts.length}, domains ${inventory.domains.length}, subscriptions ${inventory.subscriptions.length}`,
);
console.log(`bare fast-xml-parser parse (baseline): ${ms(bareMs)}`);
console.log(`XSD validation (system xmllint, beside the parse): ${ms(best.validate)}`);
console.log(`parse into the model (main thread):    ${ms(best.parse)}`);
console.log(`both, side by side (wall):             ${ms(best.wall)}`);
console.log(`store (inventory file + project):      ${ms(best.store)}`);
console.log(
  `whole import (guard+validate+parse+store): ${ms(best.total)}  → ${(best.total / bareMs).toFixed(2)}× the bare parse (goal ≤ 2×)`,
);
console.log(
  `whole import with the WebAssembly validator (no xmllint installed): ${ms(wasmMs)}  → ${(wasmMs / bareMs).toFixed(2)}×`,
);
console.log(`store file: ${(storeBytes / 1048576).toFixed(1)} MB`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
console.log(
  `table filter over ${rows.length} domain rows: median ${median(filterTimes).toFixed(1)} ms per keystroke (worst ${Math.max(...filterTimes).toFixed(1)} ms)`,
);
