/**
 * A whole migration set-up on real parts, as an engineer makes it with `mm`: the demo's Debian
 * hosting layout behind a real sshd, its inventory fetched over SSH by the real linux agent,
 * the sandbox target over real HTTP, templates mapped to the sandbox's catalogue, everything
 * selected and verified, domain services fetched. Tests copy the prepared data dir so each
 * run (or each kill) starts from the same verified project against a fresh sandbox.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { type DemoLayoutSummary, buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { type RunningSandbox, type SandboxOptions, startSandbox } from '../../electron/sandbox/sandbox';
import { tempDir } from '../helpers/paths';
import { type CliRun, runMm } from '../helpers/processes';
import { type Sshd, startSshd } from '../helpers/sshd';
import { copyDataDir, readJournalEntries } from '../helpers/store-under-test';

export const PROJECT = 'migration';
export const SERVER = 'web01';

export interface PreparedSource {
  readonly sshd: Sshd;
  readonly root: string;
  readonly layout: DemoLayoutSummary;
  /** A data dir with the project verified and its services fetched (copy it, don't use it). */
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** `mm` on a data dir; a failed command fails the test with its stderr. */
export async function mmOk(dataDir: string, args: readonly string[], input?: string): Promise<CliRun> {
  const run = await runMm([...args, '--data-dir', dataDir], {}, input);
  if (run.code !== 0) throw new Error(`mm ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run;
}

export function mm(dataDir: string, args: readonly string[], input?: string): Promise<CliRun> {
  return runMm([...args, '--data-dir', dataDir], {}, input);
}

/**
 * Points the project at a sandbox: POA and PBA in one `mm target set`, passwords on stdin (POA's
 * line first). One process instead of one per side: every fresh run of the suite starts here.
 */
export async function setTarget(dataDir: string, sandbox: RunningSandbox): Promise<void> {
  await mmOk(
    dataDir,
    [
      'target',
      'set',
      '--poa-url',
      sandbox.poaUrl,
      '--poa-user',
      'admin',
      '--poa-password-stdin',
      '--pba-url',
      sandbox.pbaUrl,
      '--pba-user',
      'admin',
      '--pba-password-stdin',
    ],
    'sandbox\nsandbox\n',
  );
}

/**
 * The source over SSH, inventoried, mapped against a sandbox, selected, verified, services
 * fetched. `beforeInventory` adds to the layout first (e.g. the source's database servers).
 * `checksAfterBatch: false` turns off the post-migration checks a batch runs when it ends
 * (`mm check settings --after-batch off`): tests of the journal's exactly-once (kills, target
 * faults) run dozens of batches and assert nothing about the checks, which took about 40 % of
 * each batch's time there (4 of 10 s on the CI machine); test/checks covers them.
 */
export async function prepareSource(
  options: { beforeInventory?: (root: string) => Promise<void>; checksAfterBatch?: boolean } = {},
): Promise<PreparedSource> {
  const sshd = await startSshd();
  const root = await tempDir('mm-migration-layout-');
  const layout = buildDemoLayout(root);
  await options.beforeInventory?.(root);
  const dataDir = await tempDir('mm-migration-data-');
  await prepareProject(dataDir, sshd, root, options);
  return { sshd, root, layout, dataDir, stop: async () => sshd.stop() };
}

/** The project part of prepareSource, on a source (an sshd and its layout) already running. */
export async function prepareProject(
  dataDir: string,
  sshd: Sshd,
  root: string,
  options: { checksAfterBatch?: boolean },
): Promise<void> {
  await mmOk(dataDir, ['project', 'create', PROJECT]);
  await mmOk(dataDir, [
    'server',
    'add',
    SERVER,
    '--host',
    '127.0.0.1',
    '--port',
    String(sshd.port),
    '--user',
    sshd.user,
    '--key',
    sshd.clientKeyPath,
    '--kind',
    'linux',
    '--api',
    '2',
    '--agent-path',
    join(sshd.dir, 'mm-agents'),
    '--source-root',
    root,
    '--trust-new-host-key',
  ]);
  await mmOk(dataDir, ['server', 'settings', SERVER, '--default-country', 'de']);
  if (options.checksAfterBatch === false) await mmOk(dataDir, ['check', 'settings', '--after-batch', 'off']);
  await mmOk(dataDir, ['inventory', 'fetch', SERVER]);
  const sandbox = await startSandbox({ dataDir: await tempDir('mm-sandbox-prep-') });
  try {
    await setTarget(dataDir, sandbox);
    await mmOk(dataDir, [
      'mapping',
      'set',
      SERVER,
      'linux-web-hosting',
      '--class',
      'hosting',
      '--poa-template',
      '12',
      '--pba-plan',
      '102',
    ]);
    await mmOk(dataDir, [
      'mapping',
      'set',
      SERVER,
      'linux-dns-mail',
      '--class',
      'hosting',
      '--poa-template',
      '16',
      '--pba-plan',
      '107',
    ]);
    await mmOk(dataDir, ['select', 'all']);
    await mmOk(dataDir, ['inventory', 'services', SERVER]);
    await mmOk(dataDir, ['verify']);
  } finally {
    await sandbox.close();
  }
}

/** A copy of the prepared project pointed at a fresh sandbox. */
export async function freshRun(
  source: Pick<PreparedSource, 'dataDir'>,
  options: Omit<SandboxOptions, 'dataDir'> = {},
): Promise<{ dataDir: string; sandbox: RunningSandbox }> {
  const dataDir = await tempDir('mm-migration-run-');
  // on the PostgreSQL store the copy takes the project's rows too (a copied folder is a new project there)
  await copyDataDir(source.dataDir, dataDir);
  const sandbox = await startSandbox({ dataDir: await tempDir('mm-sandbox-'), ...options });
  await setTarget(dataDir, sandbox);
  return { dataDir, sandbox };
}

export interface MigrateJson {
  readonly jobId: string;
  readonly state: string;
  readonly objects: { readonly total: number; readonly migrated: number; readonly failed: number };
  readonly created: Readonly<Record<string, number>>;
  readonly reconciliation?: Readonly<Record<string, { readonly planned: number; readonly found: number }>>;
  readonly failures: readonly { kind: string; id: string; server: string; step: string; message: string }[];
}

export function parseMigrate(run: CliRun): MigrateJson {
  try {
    return JSON.parse(run.stdout) as MigrateJson;
  } catch {
    throw new Error(`mm migrate printed no JSON (exit ${run.code}): ${run.stderr}`);
  }
}

/** Each table's rows grouped by a key must be unique: an object created twice shows up here. */
export function expectNoDuplicates(
  rows: readonly Record<string, unknown>[],
  key: (r: Record<string, unknown>) => string,
): void {
  const seen = new Map<string, number>();
  for (const r of rows) seen.set(key(r), (seen.get(key(r)) ?? 0) + 1);
  expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
}

/** The production journal's entries, from whichever store holds it (none yet: empty). */
export async function journalLines(dataDir: string): Promise<Record<string, unknown>[]> {
  return readJournalEntries(join(dataDir, 'projects', PROJECT, 'migration', 'journal.jsonl')).catch(
    (e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    },
  );
}
