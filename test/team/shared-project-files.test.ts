/**
 * Every file of a shared project lives in PostgreSQL (issue 15): the migration log, the
 * verification history and changes, sign-offs and the policy, rehearsal records and holdings,
 * batch summaries and controls — not only documents and journals. On real parts: the demo's
 * Debian layout behind a real sshd (test/migration/env.ts), the sandbox target over HTTP, a real
 * PostgreSQL the test starts.
 *
 * A file project is run through decide, verify, rehearse, sign off and migrate; what it shows
 * (log, history, sign-offs, rehearsals, batches, reports) is read, then `mm project move` takes
 * it into the database and a second data dir attached to it must show exactly the same, with
 * nothing left in the folder but what is per machine; a review bundle's view of the rows holds
 * every file the folder held. Then the second data dir decides, rehearses and signs off, and the
 * first reads those, hearing them live on mm_changes. A file project run the same way keeps its
 * plain files (same lines, same modes) and never touches the database.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../shared/model/inventory';
import { type Core, createCore } from '../../electron/core/core';
import { MigrationLog } from '../../electron/core/log/migration-log';
import { EventBus } from '../../electron/core/events';
import { perMachine } from '../../electron/core/store/postgres-move';
import { storedProjectFiles } from '../../electron/core/store/postgres-files';
import { type ChangeNote, closeAllPgStores, pgStoreFor } from '../../electron/core/store/postgres-store';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { onPgStore } from '../helpers/store-under-test';
import { tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { PROJECT, SERVER, freshRun, mmOk } from '../migration/env';
import { type SharedSource, sharedSource } from '../migration/shared-source';
import { cells } from './team-helpers';
import { openSealed } from '../helpers/open-sealed';

/** Every file under a folder, by path relative to it. */
async function filesOf(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else out.push(relative(dir, full).split('\\').join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

interface Probe {
  readonly kind: string;
  readonly serverId: string;
  readonly id: string;
}

/** The report's target ids name their keys in the order the journal gives them (jsonb: its own): sorted. */
function reportRows(csv: string): string[] {
  return csv
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z?/g, 'T')
    .replace(/"([^"]*=[^"]*)"/g, (_m, ids: string) => `"${ids.split(', ').sort().join(', ')}"`)
    .split('\n');
}

/** What an engineer sees of a project's logs and records, through the services. */
async function view(core: Core, dataDir: string, probe: Probe) {
  const log = new MigrationLog(
    join(dataDir, 'projects', PROJECT, 'migration-log.jsonl'),
    PROJECT,
    new EventBus(),
  );
  const rehearsals = await core.rehearsals.list(PROJECT);
  const jobs = await core.migration.jobs(PROJECT);
  const newest = rehearsals[0];
  const report = await core.reports.migration(PROJECT, 'csv');
  return {
    log: (await log.read(100_000)).map((l) => `${l.level} ${l.message}`),
    history: await core.verification.history(PROJECT, probe.kind, probe.serverId, probe.id),
    signOffs: await core.rehearsals.signOffs(PROJECT),
    status: await core.rehearsals.status(PROJECT),
    rehearsals: rehearsals.map((r) => ({ id: r.id, state: r.state, fingerprint: r.fingerprint })),
    holdings: newest
      ? (await core.rehearsals.holdingsPage(PROJECT, newest.id, { offset: 0, limit: 1 })).total
      : 0,
    jobs: jobs.map((j) => ({ id: j.jobId, state: j.state, migrated: j.objects.migrated })),
    report: reportRows(report.content),
    results: (await core.verification.all(PROJECT)).length,
  };
}

const describeHere = onPgStore ? describe.skip : describe;

describeHere('every file of a shared project in PostgreSQL', () => {
  let pg: Postgres;
  let url: string;
  let source: SharedSource;
  let run: { dataDir: string; sandbox: RunningSandbox };
  let control: { dataDir: string; sandbox: RunningSandbox } | undefined;
  let subscriptionId: string;
  let probe: Probe;
  let before: Awaited<ReturnType<typeof view>>;
  let folderBefore: string[];
  let dataB: string;

  beforeAll(async () => {
    pg = await startPostgres({ database: 'mmfiles', user: 'mm' });
    url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
    process.env['PGPASSWORD'] = pg.password;
    source = await sharedSource();
    run = await freshRun(source);
    const core = createCore({ dataDir: run.dataDir, shell: 'test' });
    const inventory = (await core.inventory.load(PROJECT, SERVER)) as Inventory;
    subscriptionId = inventory.subscriptions[0]?.id ?? '';
    // a decision re-verifies what it touched: a verification change and history lines
    await mmOk(run.dataDir, ['decide', 'override', subscriptionId, '--not-migrated']);
    await mmOk(run.dataDir, ['migrate', '--rehearse', '--json']);
    await mmOk(run.dataDir, ['rehearsal', 'signoff']);
    await mmOk(run.dataDir, ['rehearsal', 'policy', 'required']);
    await mmOk(run.dataDir, ['migrate', '--json']);
    const jobId = (await core.migration.jobs(PROJECT))[0]?.jobId ?? '';
    // a control left for a batch (pause asked of a finished batch changes nothing else)
    await mmOk(run.dataDir, ['jobs', 'pause', jobId]);
    // an object whose verification changed (the decision's subscription, or one it touched)
    const history = await readFile(
      join(run.dataDir, 'projects', PROJECT, 'verification-history.jsonl'),
      'utf8',
    );
    const last =
      history
        .split('\n')
        .filter((l) => l !== '')
        .pop() ?? '{}';
    probe = JSON.parse(last) as Probe;
    before = await view(core, run.dataDir, probe);
    folderBefore = await filesOf(join(run.dataDir, 'projects', PROJECT));
    dataB = await tempDir('mm-files-b-');
  }, 900_000);

  afterAll(async () => {
    await closeAllPgStores();
    await run?.sandbox.close();
    await control?.sandbox.close();
    await source?.stop();
    await pg?.stop();
  });

  it('the flow left every kind of file in the folder (the inventory the move must take)', () => {
    for (const f of [
      'migration-log.jsonl',
      'verification-history.jsonl',
      'verification-changes.jsonl',
      'rehearsals/signoffs.jsonl',
      'rehearsals/policy.json',
    ])
      expect(folderBefore).toContain(f);
    const patterns = [
      /^rehearsals\/r-[^/]+\/rehearsal\.json$/,
      /^rehearsals\/r-[^/]+\/holdings\.json$/,
      /^rehearsals\/r-[^/]+\/log\.jsonl$/,
      /^rehearsals\/r-[^/]+\/journal\.jsonl$/,
      /^rehearsals\/r-[^/]+\/jobs\/[^/]+\.json$/,
      /^migration\/jobs\/[^/]+\.json$/,
      /^migration\/jobs\/[^/]+\.control$/,
      /^migration\/journal\.jsonl$/,
    ];
    for (const p of patterns)
      expect(
        folderBefore.filter((f) => p.test(f)),
        String(p),
      ).not.toEqual([]);
    expect(before.signOffs.length).toBe(1);
    expect(before.history.length).toBeGreaterThan(0);
    expect(before.log.length).toBeGreaterThan(10);
    expect(before.jobs.length).toBe(1);
  });

  it('mm project move takes every file into the database; a second data dir shows the same project', async () => {
    const moved = await mmOk(run.dataDir, ['project', 'move', '--store', url, '--json']);
    expect(moved.stderr).toBe('');
    const dir = join(run.dataDir, 'projects', PROJECT);
    // left in the folder: the link and what was set aside, nothing the project reads
    const left = (await filesOf(dir)).filter((f) => !f.startsWith('.moved-to-postgres/'));
    expect(left.filter((f) => !perMachine(f))).toEqual([]);
    expect(left).toContain('store.json');
    // rows: documents, logs as journal venues, other files whole
    const venues = cells(
      pg,
      `SELECT DISTINCT venue FROM mm_journal WHERE project_id = '${PROJECT}' ORDER BY 1;`,
    );
    expect(venues).toEqual(
      expect.arrayContaining([
        'migration-log.jsonl',
        'verification-history.jsonl',
        'verification-changes.jsonl',
        'rehearsals/signoffs.jsonl',
        'migration/journal.jsonl',
      ]),
    );
    const files = cells(pg, `SELECT path FROM mm_files WHERE project_id = '${PROJECT}' ORDER BY 1;`);
    expect(files).toContain('rehearsals/policy.json');
    expect(files.some((f) => /^migration\/jobs\/.+\.control$/.test(f))).toBe(true);
    expect(files.some((f) => /^rehearsals\/r-[^/]+\/holdings\.json$/.test(f))).toBe(true);

    await mmOk(dataB, ['project', 'attach', PROJECT, '--store', url]);
    const coreB = createCore({ dataDir: dataB, shell: 'test' });
    // the moved results are current there too (nothing read in B verifies again)
    expect(await coreB.verification.isFresh(PROJECT)).toBe(true);
    const after = await view(coreB, dataB, probe);
    expect(after).toEqual(before);

    // a review bundle of the shared project has every file the folder held, same lines, same JSON
    const stored = await storedProjectFiles(join(dataB, 'projects', PROJECT));
    const opener = createCore({ dataDir: run.dataDir, shell: 'test' });
    const expected = folderBefore.filter((f) => !perMachine(f));
    expect([...(stored?.keys() ?? [])].sort()).toEqual(expected);
    for (const rel of expected) {
      const original = await readFile(
        join(dir, '.moved-to-postgres', (await readdir(join(dir, '.moved-to-postgres')))[0] ?? '', rel),
        'utf8',
      );
      const parse = (text: string): unknown =>
        rel.endsWith('.jsonl')
          ? text
              .split('\n')
              .filter((l) => l.trim() !== '')
              .map((l) => JSON.parse(l) as unknown)
          : rel.endsWith('.control')
            ? text
            : (JSON.parse(text) as unknown);
      // the move re-seals customers' secrets under the project's data key: compared opened
      const opened = async (text: string): Promise<unknown> =>
        /^(inventory|domain-services)\//.test(rel)
          ? openSealed(opener.secrets, PROJECT, parse(text))
          : parse(text);
      expect(await opened(stored?.get(rel) ?? ''), rel).toEqual(await opened(original));
    }
  }, 300_000);

  it('what one engineer decides, rehearses and signs off, the other reads, and hears live', async () => {
    const dirA = join(run.dataDir, 'projects', PROJECT);
    const dirB = join(dataB, 'projects', PROJECT);
    const store = pgStoreFor(url);
    await store.listen();
    const heard: ChangeNote[] = [];
    store.changes.on('change', (n: ChangeNote) => heard.push(n));
    const lines = async (rel: string): Promise<number> =>
      ((await storedProjectFiles(dirA))?.get(rel) ?? '').split('\n').filter((l) => l !== '').length;
    const historyBefore = await lines('verification-history.jsonl');
    const changesBefore = await lines('verification-changes.jsonl');

    // B decides (no credentials needed): A's project shows the re-verification it caused
    const coreA = createCore({ dataDir: run.dataDir, shell: 'test' });
    const inventory = (await coreA.inventory.load(PROJECT, SERVER)) as Inventory;
    const other = inventory.subscriptions[1]?.id ?? '';
    await mmOk(dataB, ['decide', 'override', other, '--not-migrated']);
    expect(await lines('verification-history.jsonl')).toBeGreaterThan(historyBefore);
    expect(await lines('verification-changes.jsonl')).toBe(changesBefore + 1);
    expect((await coreA.decisions.list(PROJECT)).length).toBe(2);

    // A (who holds the target's and the server's credentials) rehearses and signs off: B sees it
    await mmOk(run.dataDir, ['migrate', '--rehearse', '--json']);
    await mmOk(run.dataDir, ['rehearsal', 'signoff']);
    const coreB = createCore({ dataDir: dataB, shell: 'test' });
    const b = await view(coreB, dataB, probe);
    expect(b.rehearsals.length).toBe(before.rehearsals.length + 1);
    expect(b.signOffs.length).toBe(2);
    expect(b.status.signOff?.rehearsalId).toBe(b.rehearsals[0]?.id);
    expect(b.holdings).toBeGreaterThan(0);
    expect(b.log.length).toBeGreaterThan(before.log.length);
    expect(b.log.some((l) => /rehears/i.test(l))).toBe(true);

    // the writes were announced on mm_changes as they were committed
    const deadline = Date.now() + 10_000;
    const seen = (): boolean =>
      heard.some((n) => n.t === 'journal' && n.venue === 'rehearsals/signoffs.jsonl') &&
      heard.some((n) => n.t === 'journal' && n.venue === 'verification-history.jsonl') &&
      heard.some((n) => n.t === 'file' && /^rehearsals\/r-[^/]+\/rehearsal\.json$/.test(n.path));
    while (!seen() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen()).toBe(true);

    // nothing of it was written into either folder
    for (const d of [dirA, dirB]) {
      const files = (await filesOf(d)).filter((f) => !f.startsWith('.moved-to-postgres/'));
      expect(files.filter((f) => !perMachine(f))).toEqual([]);
    }
  }, 600_000);

  it('a file project keeps its plain files, written as before, and never touches the database', async () => {
    const rowsBefore = pg.psql('SELECT count(*) FROM mm_journal; SELECT count(*) FROM mm_files;');
    control = await freshRun(source);
    await mmOk(control.dataDir, ['migrate', '--rehearse', '--json']);
    await mmOk(control.dataDir, ['rehearsal', 'signoff']);
    const dir = join(control.dataDir, 'projects', PROJECT);
    const files = await filesOf(dir);
    expect(files).not.toContain('store.json');
    const signoffs = await readFile(join(dir, 'rehearsals', 'signoffs.jsonl'), 'utf8');
    expect(signoffs.endsWith('\n')).toBe(true);
    expect(
      signoffs
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { type: string }).type),
    ).toEqual(['signoff']);
    expect((await stat(join(dir, 'rehearsals', 'signoffs.jsonl'))).mode & 0o777).toBe(0o600);
    const record = files.find((f) => /^rehearsals\/r-[^/]+\/rehearsal\.json$/.test(f)) ?? '';
    expect((await stat(join(dir, record))).mode & 0o777).toBe(0o600);
    const log = await readFile(join(dir, 'migration-log.jsonl'), 'utf8');
    expect(log.endsWith('\n')).toBe(true);
    for (const l of log.split('\n').filter((x) => x !== ''))
      expect(() => JSON.parse(l) as unknown).not.toThrow();
    expect(pg.psql('SELECT count(*) FROM mm_journal; SELECT count(*) FROM mm_files;')).toBe(rowsBefore);
  }, 600_000);
});
