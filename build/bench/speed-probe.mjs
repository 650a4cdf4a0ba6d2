#!/usr/bin/env node
// The machine's speed around and during a bench: this machine's speed drifts (2026-12-03: the same
// 1× migration took 2.37 min at 14:58 and 7.0 min at 15:50, with 2.2× the CPU seconds for the same
// work), so a 10× figure compared with a 1× one measured an hour apart says as much about the
// machine as about the code. A small process runs one fixed piece of work (objects built, JSON
// written and read back, a sort, a Map: what the engine does) and records the CPU time it took:
// CPU time, not elapsed time, so other work keeping the cores busy does not count, only how fast a
// core does the same work. Run with --single-threaded so V8's collector works on this thread and
// its time counts in the reading.
//
// Two readings per bench. Quiet (quietSpeed): a few seconds of the work back to back just before
// the bench starts and just after it ends, with nothing of ours running: the machine itself (its
// neighbours, its clock). During (startSpeedProbe): one sample every 10 s while the bench runs;
// that one also feels the bench's own load on the shared caches and memory, which grows with the
// bench's size (2026-12-03: 155 ms at 1×, 195 ms during the 10× migration), so it is printed for
// reading and the quiet one is what growth is judged at.
//
// `node --single-threaded speed-probe.mjs <samples file> <interval ms>`: appends one JSON line
// per sample ({ at, cpuMs }) until killed. `… --burst <ms>`: prints the samples of that long a
// burst as one JSON array.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const THIS_FILE = fileURLToPath(import.meta.url);

/** The fixed work: ~100 ms of one core here when the machine is quiet. */
function fixedWork() {
  const rows = [];
  for (let i = 0; i < 40000; i++)
    rows.push({ id: `d${i}`, n: i, tags: [i % 7, i % 13], name: `domain-${(i * 7919) % 40000}.test` });
  const back = JSON.parse(JSON.stringify(rows));
  back.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byId = new Map();
  for (const r of back) byId.set(r.id, r);
  return byId.size;
}

/** CPU milliseconds of one run of the fixed work. */
function sample() {
  const before = process.cpuUsage();
  fixedWork();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** Starts the probe beside a bench; stop() ends it and returns the CPU ms of each sample. */
export function startSpeedProbe(samplesFile, intervalMs = 10_000) {
  const child = spawn(process.execPath, ['--single-threaded', THIS_FILE, samplesFile, String(intervalMs)], {
    stdio: 'ignore',
  });
  return {
    stop() {
      child.kill('SIGKILL');
      if (!existsSync(samplesFile)) return [];
      return readFileSync(samplesFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l).cpuMs);
    },
  };
}

/** The CPU ms of the fixed work run back to back for about `ms`, nothing else of ours running. */
/** How long a quiet reading runs (4 s added ~70 s to a full bench run). */
const QUIET_MS = 2000;

export function quietSpeed(ms = QUIET_MS) {
  const r = spawnSync(process.execPath, ['--single-threaded', THIS_FILE, '--burst', String(ms)], {
    encoding: 'utf8',
    timeout: ms + 60_000,
  });
  try {
    return JSON.parse(r.stdout);
  } catch {
    return [];
  }
}

const warmUp = () => {
  // The first runs compile the work (JIT): not a reading of the machine.
  for (let i = 0; i < 5; i++) fixedWork();
};

if (process.argv[1] === THIS_FILE) {
  warmUp();
  if (process.argv[2] === '--burst') {
    const end = Date.now() + Number(process.argv[3] ?? QUIET_MS);
    const samples = [];
    while (Date.now() < end) samples.push(sample());
    console.log(JSON.stringify(samples));
  } else {
    const [file, interval] = process.argv.slice(2);
    if (!file) throw new Error('usage: speed-probe.mjs <samples file> [interval ms] | --burst <ms>');
    const record = () => appendFileSync(file, `${JSON.stringify({ at: Date.now(), cpuMs: sample() })}\n`);
    record();
    setInterval(record, Number(interval ?? 10_000));
  }
}
