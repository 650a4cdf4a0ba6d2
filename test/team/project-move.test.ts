/**
 * Moving an open project into PostgreSQL from the app (issue 15), against a real PostgreSQL and
 * the sandbox target: the demo project, used by a running core (mappings, selection, a decision,
 * verification, a migration batch in its journal), is moved through the contract's
 * `projects:move-to-store` while the core holds it open. The password is typed as in the form:
 * no PGPASSWORD, sealed in the data dir. A move while a batch runs is refused, naming the batch.
 * Afterwards every read gives what it gave before, now from the database, and a new decision
 * is a row there — the set-aside files never change again.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/handlers';
import type { Core } from '../../electron/core/core';
import type { CallChannel, CallRequest, CallResponse } from '../../shared/contract';
import type { Postgres } from '../helpers/postgres';
import { DEMO, type PgAndSandbox, cells, pgAndSandbox, until, verifiedDemo } from './team-helpers';
import { filesUnder } from '../helpers/files-under';
import { openSealed } from '../helpers/open-sealed';

const LINUX = 'demo-linux-server';

describe('moving an open project to PostgreSQL from the app', () => {
  let servers: PgAndSandbox;
  let pg: Postgres;
  let dataDir: string;
  let core: Core;
  let address: string;

  async function call<C extends CallChannel>(channel: C, request: CallRequest<C>): Promise<CallResponse<C>> {
    const r = await dispatch(core, channel, request);
    if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
    return r.value as CallResponse<C>;
  }

  /** What the app reads of the project, service by service. */
  async function reads(): Promise<Record<string, unknown>> {
    const { updatedAt: _updated, ...project } = await core.projects.get(DEMO);
    void _updated;
    const inventory = await core.inventory.load(DEMO, LINUX);
    const jobs = await core.migration.jobs(DEMO);
    const recorded = await core.migration.recorded(DEMO);
    return {
      project,
      servers: await core.servers.list(DEMO),
      // opened: the move re-seals the customers' secrets under the project's data key
      inventory: await openSealed(core.secrets, DEMO, inventory),
      mapping: await core.mapping.rows(DEMO),
      selection: await core.selection.get(DEMO),
      decisions: await core.decisions.list(DEMO),
      verification: await core.verification.summary(DEMO),
      jobs: jobs.map((j) => ({ jobId: j.jobId, state: j.state })),
      journal: { jobs: recorded.jobs.size, intents: recorded.intents.size, outcomes: recorded.outcomes.size },
      objects: jobs[0] ? await core.migration.objects(DEMO, jobs[0].jobId) : [],
      comments: await core.review.comments.list(DEMO),
      target: await core.target.get(DEMO),
      ipMap: await core.ipMap.view(DEMO),
      rehearsals: await core.rehearsals.status(DEMO),
      history: inventory?.domains[0]
        ? await core.history.of(DEMO, 'domain', LINUX, inventory.domains[0].id)
        : [],
    };
  }

  beforeAll(async () => {
    // the project starts as files, whatever store the suite runs on; the password only typed.
    // Each target call "running" for a while, so a batch is still running when the move is asked.
    servers = await pgAndSandbox({ database: 'mmmove', prefix: 'mm-move-', sandbox: { asyncMs: 150 } });
    ({ pg, dataDir, url: address } = servers);
    // a UI shell: the database password typed in a form is sealed in this data dir
    core = await verifiedDemo(dataDir, servers.sandbox);
  }, 300_000);

  afterAll(() => servers?.stop());

  it('is refused while a batch runs, then moves the open project; reads and writes go to the database', async () => {
    const inventory = await core.inventory.load(DEMO, LINUX);
    const [first, second] = inventory?.domains ?? [];
    if (!first || !second) throw new Error('the demo Linux server has fewer than two domains');
    // a decision and a reviewer's comment before the move
    await core.decisions.apply(DEMO, { kind: 'unselect', serverId: LINUX, domainId: first.id }, 'alice');
    await core.review.comment(DEMO, { kind: 'domain', serverId: LINUX, id: first.id }, 'keep it', 'carol');

    // a batch runs: the move is refused, naming it, and nothing moved
    const batch = await core.migration.start(DEMO, { force: 'move test', concurrency: 1 });
    await until(
      'the batch running',
      async () => ((await core.migration.job(DEMO, batch.jobId)).state === 'running' ? true : undefined),
      60_000,
    );
    const refused = await dispatch(core, 'projects:move-to-store', {
      projectId: DEMO,
      address,
      password: pg.password,
    });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('busy');
    expect(refused.error.message).toMatch(
      new RegExp(`cannot be moved to PostgreSQL while migration batch ${batch.jobId.slice(0, 8)} runs`),
    );
    expect(cells(pg, `SELECT count(*) FROM pg_tables WHERE tablename = 'mm_documents';`)).toEqual(['0']);
    const summary = await batch.done;
    expect(summary.state).toBe('done');

    // the core used the project (handles, journal, caches open); what it reads now
    const before = await reads();
    const journal = (before['journal'] as { outcomes: number }).outcomes;
    expect(journal).toBeGreaterThan(0);
    expect(before['decisions']).toHaveLength(1);
    expect(before['comments']).toHaveLength(1);
    expect(before['verification']).toMatchObject({ stale: false });
    const decisionsFile = join(core.projects.projectDir(DEMO), 'decisions.json');
    const decisionsText = await readFile(decisionsFile, 'utf8');

    // a wrong password is refused on the field; nothing moved, the project still files
    const wrong = await dispatch(core, 'projects:move-to-store', {
      projectId: DEMO,
      address,
      password: 'nope',
    });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.message).toMatch(/could not be opened: .*password/);
    expect(await readFile(decisionsFile, 'utf8')).toBe(decisionsText);

    // bad input is refused naming what and where: a password in the address, no such project
    const inAddress = await dispatch(core, 'projects:move-to-store', {
      projectId: DEMO,
      address: `postgres://mm:${pg.password}@127.0.0.1:${pg.port}/${pg.database}`,
    });
    expect(inAddress.ok ? undefined : inAddress.error).toMatchObject({
      code: 'invalid-input',
      where: 'address',
    });
    const missing = await dispatch(core, 'projects:move-to-store', { projectId: 'no-such-project', address });
    expect(missing.ok ? undefined : missing.error.code).toBe('project-not-found');

    // "Test connection" opens the database and changes nothing
    expect(await call('projects:test-store', { address, password: pg.password })).toEqual({ address });

    const changed: string[] = [];
    const off = core.events.subscribe((event, payload) => {
      if (event === 'projects:changed') changed.push((payload as { projectId: string }).projectId);
    });
    const moved = await call('projects:move-to-store', { projectId: DEMO, address, password: pg.password });
    off();
    expect(moved).toMatchObject({ projectId: DEMO, name: 'Demo migration', address });
    expect(moved.documents).toBeGreaterThan(5);
    expect(moved.journalEntries).toBeGreaterThanOrEqual(journal);
    expect(changed).toContain(DEMO);
    expect((await call('projects:stores', {}))[DEMO]).toEqual({ kind: 'postgres', address, sharedId: DEMO });

    // the rows are there, and every read gives what it gave from the files
    const paths = cells(pg, `SELECT path FROM mm_documents WHERE project_id = '${DEMO}' ORDER BY path;`);
    expect(paths).toEqual(
      expect.arrayContaining(['project.json', 'decisions.json', 'selection.json', 'mapping.json']),
    );
    expect(Number(cells(pg, `SELECT count(*) FROM mm_journal WHERE project_id = '${DEMO}';`)[0])).toBe(
      moved.journalEntries,
    );
    expect(await reads()).toEqual(before);

    // a new decision from the same core lands in the database, not in the set-aside files
    await core.decisions.apply(DEMO, { kind: 'unselect', serverId: LINUX, domainId: second.id }, 'bob');
    const authors = cells(
      pg,
      `SELECT e->>'author' FROM mm_documents, json_array_elements(body->'log') e
        WHERE project_id = '${DEMO}' AND path = 'decisions.json' ORDER BY 1;`,
    );
    expect(authors).toEqual(['alice', 'bob']);
    expect(await core.selection.isDomainSelected(DEMO, LINUX, second.id)).toBe(false);
    expect(
      cells(
        pg,
        `SELECT (body->'servers'->'${LINUX}'->'domains')::jsonb ? '${second.id}' FROM mm_documents
        WHERE project_id = '${DEMO}' AND path = 'selection.json';`,
      ),
    ).toEqual(['f']);
    const setAside = await readFile(join(moved.setAside, 'decisions.json'), 'utf8');
    expect(setAside).toBe(decisionsText);
    const left = (await filesUnder(core.projects.projectDir(DEMO))).filter(
      (f) => !f.startsWith(moved.setAside) && /(decisions|selection|mapping|project)\.json$/.test(f),
    );
    expect(left).toEqual([]);

    // the typed password is sealed, never on disk in plain text
    for (const f of await filesUnder(dataDir).then((fs) => fs.filter((x) => !x.includes('/sandbox/'))))
      expect(await readFile(f, 'utf8'), f).not.toContain(pg.password);

    // moving again is refused plainly
    const again = await dispatch(core, 'projects:move-to-store', { projectId: DEMO, address });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.message).toMatch(/kept in PostgreSQL already/);
  }, 300_000);

  it('has every service that keeps per-project state registered for the release', () => {
    expect(core.projects.releases.cacheNames()).toEqual(
      expect.arrayContaining([
        'project file',
        'document decisions.json',
        'document selection.json',
        'document mapping.json',
        'document verification.json',
        'document ip-map.json',
        'document resync.json',
        'document domain-services.json',
        'inventories',
        'domain services',
        'migration journal',
        'migration log',
        'verification results in memory',
        'ip usage',
      ]),
    );
  });
});
