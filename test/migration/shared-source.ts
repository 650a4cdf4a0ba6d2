/**
 * One prepared demo source for the whole vitest run, for the test files that only ever copy it
 * (freshRun) and migrate from it: the same sshd, layout and verified project prepareSource makes,
 * made once by the first file that asks instead of once per file. prepareSource cost 12 `mm`
 * processes, an inventory over SSH and a verification (12 s quiet, 25–37 s under the suite's
 * load) in each of ~20 files. Files that change the source, its sshd or its layout (content
 * faults, a dropped session, a byte changed after the manifest) keep a prepareSource of their own.
 *
 * The folder comes from the run's global set-up (shared-source-setup.ts, provided as
 * `sharedSourceDir`), which also stops the sshd and removes the folder when the run ends. Files
 * in other workers wait on a lock while the first prepares. Without the global set-up (a script
 * running vitest with another config) each file prepares its own.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { inject } from 'vitest';
import { type DemoLayoutSummary, buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { startSshd } from '../helpers/sshd';
import { copyDataDir } from '../helpers/store-under-test';
import { holdings } from '../faults/proof';
import { freshRun, journalLines, mm, mmOk, parseMigrate, prepareProject, prepareSource } from './env';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's folder for the shared source (empty: none, each file prepares its own). */
    sharedSourceDir: string;
  }
}

/** What a file gets of the shared source: copy its data dir, never change it. */
export interface SharedSource {
  readonly layout: DemoLayoutSummary;
  /** A data dir with the project verified and its services fetched (copy it, don't use it). */
  readonly dataDir: string;
  /** Nothing to stop: the run's teardown does (kept so files read as with prepareSource). */
  stop(): Promise<void>;
}

type Ready = Omit<SharedSource, 'stop'>;

const nothingToStop = async (): Promise<void> => undefined;

/**
 * The run's prepared source; `checksAfterBatch: false` gives a copy of it with the
 * post-migration checks turned off (made once too).
 */
export async function sharedSource(options: { checksAfterBatch?: boolean } = {}): Promise<SharedSource> {
  const dir = inject('sharedSourceDir');
  if (!dir) return prepareSource(options);
  const variant = options.checksAfterBatch === false ? 'no-checks' : 'checks';
  // the holder refreshes the lock while it prepares; one left by a worker that died goes stale
  const release = await lockfile.lock(dir, {
    stale: 30_000,
    retries: { retries: 1_000, minTimeout: 100, maxTimeout: 500 },
  });
  try {
    let ready = await readReady(dir, variant);
    if (!ready) {
      const base = (await readReady(dir, 'checks')) ?? (await madeReady(dir, 'checks', prepareBase(dir)));
      ready = variant === 'checks' ? base : await madeReady(dir, variant, checksOff(dir, base));
    }
    return { ...ready, stop: nothingToStop };
  } finally {
    await release();
  }
}

async function prepareBase(dir: string): Promise<Ready> {
  const sshdDir = join(dir, 'sshd');
  const root = join(dir, 'layout');
  const dataDir = join(dir, 'data');
  await Promise.all([mkdir(sshdDir), mkdir(root), mkdir(dataDir)]);
  const sshd = await startSshd({ lastingIn: sshdDir });
  const layout = buildDemoLayout(root);
  await prepareProject(dataDir, sshd, root, {});
  return { layout, dataDir };
}

/** A copy of the base project with the post-migration checks turned off. */
async function checksOff(dir: string, base: Ready): Promise<Ready> {
  const dataDir = join(dir, 'data-no-checks');
  await copyDataDir(base.dataDir, dataDir);
  await mmOk(dataDir, ['check', 'settings', '--after-batch', 'off']);
  return { layout: base.layout, dataDir };
}

/** Records a variant once it is made, for the files that ask after this one. */
async function madeReady(dir: string, variant: string, making: Promise<Ready>): Promise<Ready> {
  const ready = await making;
  await writeFile(join(dir, `${variant}.json`), JSON.stringify(ready));
  return ready;
}

async function readReady(dir: string, variant: string): Promise<Ready | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, `${variant}.json`), 'utf8')) as Ready;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** What one uninterrupted batch of the demo source leaves: the reference every fault case ends with. */
export interface Baseline {
  /** Rows per sandbox table (test/faults/proof.ts). */
  readonly holdings: Record<string, number>;
  /** Lines of the batch's journal. */
  readonly journalLines: number;
}

/**
 * One uninterrupted `mm migrate` of the shared source (checks after the batch off: they add
 * nothing to the target), read back from its sandbox: made once per run by the first file that
 * asks, recorded beside the prepared source. Seven fault and team files each ran this same batch
 * for their reference. `source` is the file's own: without the run's shared folder the baseline
 * is made from it, for this file alone.
 */
export async function sharedBaseline(source: Pick<SharedSource, 'dataDir'>): Promise<Baseline> {
  const dir = inject('sharedSourceDir');
  if (!dir) return uninterruptedBatch(source);
  const base = await sharedSource({ checksAfterBatch: false });
  const release = await lockfile.lock(dir, {
    stale: 30_000,
    retries: { retries: 1_000, minTimeout: 100, maxTimeout: 500 },
  });
  try {
    const file = join(dir, 'baseline.json');
    const recorded = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (recorded) return JSON.parse(recorded) as Baseline;
    const made = await uninterruptedBatch(base);
    await writeFile(file, JSON.stringify(made));
    return made;
  } finally {
    await release();
  }
}

async function uninterruptedBatch(source: Pick<SharedSource, 'dataDir'>): Promise<Baseline> {
  const run = await freshRun(source, { asyncMs: 20 });
  try {
    const result = parseMigrate(await mm(run.dataDir, ['migrate', '--json']));
    if (result.state !== 'done') throw new Error(`the uninterrupted baseline batch ended ${result.state}`);
    return { holdings: holdings(run.sandbox), journalLines: (await journalLines(run.dataDir)).length };
  } finally {
    await run.sandbox.close();
  }
}
