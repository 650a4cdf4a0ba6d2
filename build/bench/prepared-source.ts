/**
 * A verified project on the synthetic source in a data dir of its own, for benches that migrate
 * or rehearse it: they copy the dir and work on the copy, so the prepared one stays untouched.
 *
 * Under `npm run bench`, run.mjs names one folder for the whole run (MM_BENCH_SHARED_DIR): the
 * source of a given size is then built and verified once, and the next bench that needs the same
 * size (migration, then rehearsal) copies it instead of building and verifying it again. A bench
 * run on its own prepares into a fresh temporary folder, as before.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../electron/core/core';
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

async function prepareInto(dataDir: string, size: SourceSize): Promise<string> {
  const core = createCore({ dataDir, shell: 'cli' });
  const inventory = syntheticInventory({ ...size, today: new Date().toISOString().slice(0, 10) });
  const projectId = await syntheticProject(core, PROJECT_NAME, inventory, dataDir);
  await core.verification.run(projectId);
  return projectId;
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
