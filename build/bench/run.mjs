#!/usr/bin/env node
// `npm run bench [-- <name>…] [--scale N]`: runs every build/bench/*.bench.ts in turn (each in
// its own process, so one bench's memory does not weigh on the next), each printing its figures
// as it goes; then ONE table of every figure beside its goal, written with the date and the
// machine to test-output/bench.json (test-output/bench-x<N>.json at --scale N) so runs can be
// compared. When both a 1× and an N× result are there, how each figure grew is printed. A bench
// that misses a goal or fails exits non-zero, and so does this run.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE_V8_FLAGS } from '../../electron/v8-flags.mjs';
import { bound, growthRows, speedReading } from './growth.mjs';
import { quietSpeed, startSpeedProbe } from './speed-probe.mjs';

const dir = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));
const outDir = join(repo, 'test-output');

/** `--scale N` and the names to run (a bench runs when its file name contains one of them). */
function parseArgs(argv) {
  const names = [];
  let scale = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--scale' || a.startsWith('--scale=')) {
      const raw = a.includes('=') ? a.slice('--scale='.length) : argv[++i];
      scale = Number(raw);
      if (!Number.isFinite(scale) || scale <= 0) {
        console.error(`--scale needs a positive number, not "${raw ?? ''}"`);
        process.exit(2);
      }
    } else if (a.startsWith('-')) {
      console.error(`unknown option "${a}" (use: npm run bench -- [name…] [--scale N])`);
      process.exit(2);
    } else names.push(a);
  }
  return { names, scale };
}

const { names, scale } = parseArgs(process.argv.slice(2));
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (names.length === 0 || names.some((n) => f.includes(n))))
  .sort();
if (benches.length === 0) {
  console.error(`no bench matches ${names.join(', ')} in build/bench`);
  process.exit(2);
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  ramMb: Math.round(totalmem() / 2 ** 20),
  freeRamMbAtStart: Math.round(freemem() / 2 ** 20),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  // Other work on the machine slows every figure: the load is part of the result.
  loadAtStart: loadavg().map((l) => Number(l.toFixed(2))),
};

const figuresDir = mkdtempSync(join(tmpdir(), 'mm-bench-figures-'));
// What benches share within this run: the synthetic source, built and verified once by the first
// bench that needs it and copied by the next (build/bench/prepared-source.ts).
const sharedDir = mkdtempSync(join(tmpdir(), 'mm-bench-shared-'));
const results = [];
for (const file of benches) {
  console.log(`\n=== ${file}${scale !== 1 ? ` (scale ${scale}×)` : ''} ===`);
  const figuresFile = join(figuresDir, `${file}.json`);
  // Each bench's scratch folders (copies of the source, sandboxes: hundreds of MB) go under a
  // TMPDIR of its own, removed when it exits, so a run leaves nothing behind in /tmp.
  const benchTmp = mkdtempSync(join(tmpdir(), 'mm-bench-tmp-'));
  // Searchable by the service users the benches start servers as (postgres), like /tmp itself.
  chmodSync(benchTmp, 0o755);
  // The machine's speed just before, during and just after (speed-probe.mjs): what a 1× and an
  // N× run are compared at.
  const quietBefore = quietSpeed();
  const probe = startSpeedProbe(join(figuresDir, `${file}.speed.jsonl`));
  const t0 = performance.now();
  // The benches that migrate or rehearse run the engine in this process: with the V8 flags `mm` has.
  const r = spawnSync(
    process.execPath,
    [...ENGINE_V8_FLAGS, '--expose-gc', '--import', 'tsx', `${dir}${file}`],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        TMPDIR: benchTmp,
        MM_BENCH_FIGURES: figuresFile,
        MM_BENCH_SCALE: String(scale),
        MM_BENCH_SHARED_DIR: sharedDir,
      },
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const during = probe.stop();
  const speed = speedReading(quietBefore, quietSpeed(), during);
  rmSync(benchTmp, { recursive: true, force: true });
  let figures = [];
  if (existsSync(figuresFile)) figures = JSON.parse(readFileSync(figuresFile, 'utf8')).figures;
  results.push({
    file,
    date: new Date().toISOString(),
    seconds: Number(seconds.toFixed(1)),
    exit: r.status ?? r.signal,
    ok: r.status === 0,
    ...(speed ? { speed } : {}),
    figures,
  });
}
rmSync(figuresDir, { recursive: true, force: true });
rmSync(sharedDir, { recursive: true, force: true });
machine.loadAtEnd = loadavg().map((l) => Number(l.toFixed(2)));

const fmt = (f) => {
  if (f.value === undefined) return f.text ?? '';
  const v = Math.abs(f.value) >= 100 ? f.value.toFixed(0) : f.value.toPrecision(3);
  return f.unit ? `${v} ${f.unit}` : v;
};
const verdict = (f) => (f.met === undefined ? '' : f.met ? 'pass' : 'FAIL');

/** Prints rows as aligned columns, long cells cut so the table stays readable. */
function printTable(header, rows) {
  const widths = header.map((h, i) =>
    Math.min(60, Math.max(h.length, ...rows.map((r) => String(r[i]).length))),
  );
  const cell = (s, i) => {
    const t = String(s);
    return (t.length > widths[i] ? `${t.slice(0, widths[i] - 1)}…` : t).padEnd(widths[i]);
  };
  console.log(header.map(cell).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(r.map(cell).join('  ').trimEnd());
}

console.log(`\n=== bench results${scale !== 1 ? ` at scale ${scale}×` : ''} ===`);
console.log(
  `${machine.cpus} × ${machine.cpuModel}, ${(machine.ramMb / 1024).toFixed(1)} GB RAM, Node ${machine.node}; load ${machine.loadAtStart.join(' ')} at start, ${machine.loadAtEnd.join(' ')} at end`,
);
const rows = [];
for (const b of results) {
  if (b.figures.length === 0)
    rows.push([b.file.replace('.bench.ts', ''), '(no figure recorded)', '', '', 'FAIL']);
  for (const f of b.figures)
    rows.push([b.file.replace('.bench.ts', ''), f.name, fmt(f), f.goal ?? '', verdict(f)]);
  if (!b.ok && b.figures.every((f) => f.met !== false))
    rows.push([
      b.file.replace('.bench.ts', ''),
      `the bench exited ${b.exit}`,
      `${b.seconds} s`,
      'exit 0',
      'FAIL',
    ]);
}
printTable(['bench', 'figure', 'value', 'goal', 'pass/fail'], rows);
// Issue 19: the whole run within 15 minutes on this machine; each bench's share says where it goes.
const totalSeconds = results.reduce((s, b) => s + b.seconds, 0);
console.log(
  `total: ${totalSeconds.toFixed(0)} s (${results.map((b) => `${b.file.replace('.bench.ts', '')} ${b.seconds.toFixed(0)} s`).join(', ')})`,
);
const speedText = (s) =>
  s
    ? `${s.medianCpuMs} ms (before ${s.beforeCpuMs ?? '–'}, after ${s.afterCpuMs ?? '–'}, during ${s.duringCpuMs ?? '–'})`
    : 'not read';
console.log(
  `machine speed (CPU ms of the probe's fixed work, median; lower is faster): ${results.map((b) => `${b.file.replace('.bench.ts', '')} ${speedText(b.speed)}`).join(', ')}`,
);

// Runtime dependencies behind their latest release (npm audit has no advisory service here).
let outdated;
if (names.length === 0) {
  const o = spawnSync('npm', ['outdated', '--omit=dev', '--json'], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 90_000,
  });
  try {
    outdated = JSON.parse(o.stdout || '{}');
    const list = Object.entries(outdated).map(([n, v]) => `${n} ${v.current} → ${v.latest}`);
    console.log(`runtime dependencies behind their latest: ${list.length === 0 ? 'none' : list.join(', ')}`);
  } catch {
    outdated = { error: (o.stderr || o.error?.message || 'no answer').trim().split('\n')[0] };
    console.log(`runtime dependencies: npm outdated gave no answer (${outdated.error})`);
  }
}

// One file per scale; a run of some benches keeps the others' last results (each is dated).
mkdirSync(outDir, { recursive: true });
const fileFor = (s) => join(outDir, s === 1 ? 'bench.json' : `bench-x${s}.json`);
const outFile = fileFor(scale);
const previous = existsSync(outFile) ? JSON.parse(readFileSync(outFile, 'utf8')) : { benches: [] };
const kept = (previous.benches ?? []).filter((b) => !results.some((r) => r.file === b.file));
const report = {
  date: new Date().toISOString(),
  scale,
  machine,
  ...(outdated ? { outdated } : previous.outdated ? { outdated: previous.outdated } : {}),
  benches: [...kept, ...results].sort((a, b) => a.file.localeCompare(b.file)),
};
writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
console.log(`written: ${outFile.slice(repo.length)}`);

// Growth from 1× to N× (growth.mjs): a time or a memory figure must stay within 1.2 N× of its 1×
// value (within 12× at 10×: linear with a margin), times judged at equal machine speed where both
// runs read it; rates and ratios are printed for reading.
// At 1× the comparison is with the largest scale run so far.
const scaleOf = (f) => Number(/^bench-x([\d.]+)\.json$/.exec(f)?.[1] ?? NaN);
const other =
  scale === 1
    ? readdirSync(outDir)
        .filter((f) => scaleOf(f) > 1)
        .sort((a, b) => scaleOf(b) - scaleOf(a))[0]
    : 'bench.json';
let grewTooMuch = false;
let growthScale = scale;
if (other && existsSync(join(outDir, other))) {
  const one = scale === 1 ? report : JSON.parse(readFileSync(join(outDir, other), 'utf8'));
  const big = scale === 1 ? JSON.parse(readFileSync(join(outDir, other), 'utf8')) : report;
  const n = big.scale;
  growthScale = n;
  const rows = growthRows(one, big);
  grewTooMuch = rows.some((r) => !r.ok);
  if (rows.length > 0) {
    console.log(
      `\n=== growth 1× → ${n}× (1× of ${one.date.slice(0, 10)}, ${n}× of ${big.date.slice(0, 10)}) ===`,
    );
    printTable(
      [
        'bench',
        'figure',
        '1×',
        `${n}×`,
        'growth',
        `probe CPU ${n}×/1×`,
        'at equal speed',
        `goal ≤ ${bound(n)}×`,
      ],
      rows.map((r) => [
        r.bench,
        r.figure.name,
        fmt(r.base),
        fmt(r.figure),
        `${r.growth.toFixed(2)}×`,
        r.slowdown === undefined ? '' : `${r.slowdown.toFixed(2)}×`,
        r.atEqualSpeed === undefined ? '' : `${r.atEqualSpeed.toFixed(2)}×`,
        r.verdict,
      ]),
    );
  }
}

const failed = results.filter((b) => !b.ok).map((b) => b.file);
if (failed.length > 0) console.log(`\nmissed a goal or failed: ${failed.join(', ')}`);
if (grewTooMuch) console.log(`a figure grew more than ${bound(growthScale)}× from 1× to ${growthScale}×`);
process.exit(failed.length > 0 || (grewTooMuch && scale !== 1) ? 1 : 0);
