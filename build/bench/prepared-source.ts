/**
 * A verified project on the synthetic source in a data dir of its own, for benches that migrate
 * or rehearse it: they copy the dir and work on the copy, so the prepared one stays untouched.
 *
 * Under `npm run bench`, run.mjs names one folder for the whole run (MM_BENCH_SHARED_DIR): the
 * source of a given size is then built and verified once, and the next bench that needs the same
 * size (migration, then rehearsal) copies it instead of building and verifying it again. A bench
 * run on its own prepares into a fresh temporary folder, as before.
 *
 * The source is built and verified in a child process: a bench's process then plans and migrates
 * with no heap of its own preparation (at 10× several GB of garbage, which the collector paid for
 * inside the measured planning: 24.8 s there against ~17 s for planning alone, issue 19), as
 * `mm migrate` plans in a process that did not just import and verify the source.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../../electron/core/core';
import { ENGINE_V8_FLAGS } from '../../electron/v8-flags.mjs';
import { syntheticInventory } from './synthetic';
import { syntheticProject } from './synthetic-project';

export interface SourceSize {
  readonly accounts: number;
  readonly domains: number;
  readonly subscriptions: number;
}

export interface PreparedSource {
  /** The data dir holding the project: copy it, never write into it. */
  readonly dataDir: string;
  readonly projectId: string;
}

const MARKER = 'prepared.json';
const PROJECT_NAME = 'Bench';

async function prepareHere(dataDir: string, size: SourceSize): Promise<string> {
  const core = createCore({ dataDir, shell: 'cli' });
  const inventory = syntheticInventory({ ...size, today: new Date().toISOString().slice(0, 10) });
  const projectId = await syntheticProject(core, PROJECT_NAME, inventory, dataDir);
  await core.verification.run(projectId);
  return projectId;
}

const SELF = fileURLToPath(import.meta.url);

/** Builds and verifies the source in a child process (see the top); gives its project id. */
function prepareInto(dataDir: string, size: SourceSize): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...ENGINE_V8_FLAGS, '--import', 'tsx', SELF, '--prepare', dataDir, JSON.stringify(size)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      const id = /^PROJECT (\S+)$/m.exec(out)?.[1];
      if (code === 0 && id) resolve(id);
      else
        reject(
          new Error(`preparing the synthetic source in ${dataDir} failed (exit ${code}): ${out.slice(-500)}`),
        );
    });
  });
}

/** The prepared source of this size: the run's shared one when there is one, else a fresh one. */
export async function preparedSource(size: SourceSize): Promise<PreparedSource> {
  const shared = process.env['MM_BENCH_SHARED_DIR'];
  if (!shared) {
    const dataDir = await mkdtemp(join(tmpdir(), 'mm-bench-source-'));
    return { dataDir, projectId: await prepareInto(dataDir, size) };
  }
  const dataDir = join(shared, `source-${size.accounts}-${size.domains}-${size.subscriptions}`);
  const marker = join(dataDir, MARKER);
  if (existsSync(marker)) {
    const { projectId } = JSON.parse(await readFile(marker, 'utf8')) as { projectId: string };
    console.log(`  (the synthetic source prepared earlier in this run is reused: ${dataDir})`);
    return { dataDir, projectId };
  }
  // The marker is written last: a bench that died half-way leaves no marker, and its
  // half-prepared folder is built again rather than trusted. (Built in place, not renamed, as
  // the project keeps the folder's path as its source server's root.)
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const projectId = await prepareInto(dataDir, size);
  await writeFile(marker, JSON.stringify({ projectId }));
  return { dataDir, projectId };
}

/** A working copy of a prepared source in a fresh folder (prefix names it in tmpdir). */
export async function copyOfSource(source: PreparedSource, prefix: string): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  await cp(source.dataDir, dataDir, { recursive: true });
  return dataDir;
}

if (process.argv[1] === SELF && process.argv[2] === '--prepare') {
  const [dataDir, size] = process.argv.slice(3);
  if (!dataDir || !size) throw new Error('usage: prepared-source.ts --prepare <data dir> <size as JSON>');
  console.log(`PROJECT ${await prepareHere(dataDir, JSON.parse(size) as SourceSize)}`);
}
