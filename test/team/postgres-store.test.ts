/**
 * The PostgreSQL project store against a real PostgreSQL the test starts (Debian's server
 * binaries, 127.0.0.1, a free port, data in a temp dir): a project created on it with `mm`,
 * opened from a second data dir, documents kept whole as json rows with their revision and
 * author, other instances' changes heard live (LISTEN/NOTIFY), two decisions about one object
 * refused, two about different objects both kept, and a database from a newer schema refused.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentSpec, Versioned } from '../../electron/core/store/document-file';
import { PgStore, closeAllPgStores } from '../../electron/core/store/postgres-store';
import { tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { runMm } from '../helpers/processes';

interface Decisions extends Versioned {
  schemaVersion: 1;
  revision: number;
  overrides: { serverId: string; subscriptionId: string; decisionId: string }[];
  approvals: never[];
  log: {
    id: string;
    time: string;
    author: string;
    summary: string;
    input: { kind: 'override'; serverId: string; subscriptionId: string };
  }[];
}

const SPEC: DocumentSpec<Decisions> = {
  kind: 'decisions',
  currentVersion: 1,
  migrations: {},
  empty: () => ({ schemaVersion: 1, revision: 0, overrides: [], approvals: [], log: [] }),
};

const decide =
  (author: string, sub: string) =>
  (d: Decisions): Decisions => {
    const id = `d-${author}-${sub}`;
    return {
      ...d,
      revision: d.revision + 1,
      overrides: [
        ...d.overrides.filter((o) => o.subscriptionId !== sub),
        { serverId: 'web01', subscriptionId: sub, decisionId: id },
      ],
      log: [
        ...d.log,
        {
          id,
          time: new Date().toISOString(),
          author,
          summary: `Subscription ${sub} on web01 marked not migrated`,
          input: { kind: 'override', serverId: 'web01', subscriptionId: sub },
        },
      ],
    };
  };

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('projects shared on PostgreSQL', () => {
  let pg: Postgres;
  let url: string;
  let dataA: string;
  let dataB: string;

  beforeAll(async () => {
    pg = await startPostgres({ database: 'mmshared', user: 'mm' });
    url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
    process.env['PGPASSWORD'] = pg.password;
    dataA = await tempDir('mm-team-a-');
    dataB = await tempDir('mm-team-b-');
  }, 60_000);

  afterAll(async () => {
    await closeAllPgStores();
    await pg?.stop();
  });

  it('creates a project on the store, keeps no document in the folder, and opens it from a second data dir', async () => {
    const created = await runMm(['project', 'create', 'Shared one', '--store', url, '--data-dir', dataA]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const dir = join(dataA, 'projects', 'shared-one');
    expect(existsSync(join(dir, 'store.json'))).toBe(true);
    expect(existsSync(join(dir, 'project.json'))).toBe(false);
    const rows = pg.psql(
      "SELECT path || '|' || revision || '|' || (body->>'name') FROM mm_documents WHERE project_id = 'shared-one';",
    );
    expect(rows).toContain('project.json|1|Shared one');
    const attached = await runMm(['project', 'attach', 'shared-one', '--store', url, '--data-dir', dataB]);
    expect(attached.stderr).toBe('');
    const renamed = await runMm([
      'project',
      'rename',
      'Shared renamed',
      '--project',
      'shared-one',
      '--data-dir',
      dataB,
    ]);
    expect(renamed.code).toBe(0);
    const listed = await runMm(['project', 'list', '--json', '--data-dir', dataA]);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((p) => p.name)).toEqual(['Shared renamed']);
    expect(pg.psql("SELECT updated_by FROM mm_documents WHERE path = 'project.json';")).toMatch(/@.+:\d+/);
  }, 60_000);

  it('refuses a password in the address and a second project of the same id, naming what is wrong', async () => {
    const withPw = await runMm([
      'project',
      'create',
      'X',
      '--store',
      `postgres://mm:secret@127.0.0.1:${pg.port}/mmshared`,
      '--data-dir',
      dataA,
    ]);
    expect(withPw.code).not.toBe(0);
    expect(withPw.stderr).toContain('PGPASSWORD');
    expect(existsSync(join(dataA, 'projects', 'x'))).toBe(false);
    const again = await runMm([
      'project',
      'create',
      'Shared one',
      '--store',
      url,
      '--data-dir',
      await tempDir('mm-team-c-'),
    ]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already holds a project "shared-one"');
  }, 60_000);

  it("hears another instance's decision live, without reading it again", async () => {
    const one = new PgStore(url);
    const two = new PgStore(url);
    try {
      await one.listen();
      const heard: unknown[] = [];
      one.changes.on('change', (n) => heard.push(n));
      const dir = join(dataA, 'projects', 'shared-one');
      const file = join(dir, 'decisions.json');
      const a = await one.open(dir, 'shared-one', 'decisions.json', file, SPEC);
      const b = await two.open(dir, 'shared-one', 'decisions.json', file, SPEC);
      expect(a.data.log).toEqual([]);
      await b.update(decide('bob', '17'));
      // no read by `a`: the notification alone refreshes it
      await until(() => a.data.log.length === 1);
      expect(a.data.log[0]?.author).toBe('bob');
      expect(heard).toContainEqual(
        expect.objectContaining({ t: 'doc', p: 'shared-one', path: 'decisions.json' }),
      );
    } finally {
      await one.close();
      await two.close();
    }
  }, 60_000);

  it('refuses a decision about an object someone else decided on meanwhile, and merges one about another object', async () => {
    const dir = join(dataA, 'projects', 'shared-one');
    const file = join(dir, 'decisions.json');
    const alice = new PgStore(url);
    const bob = new PgStore(url);
    try {
      const a = await alice.open(dir, 'shared-one', 'decisions.json', file, SPEC);
      const b = await bob.open(dir, 'shared-one', 'decisions.json', file, SPEC);
      // both looked at the same state; alice decides first
      await a.update(decide('alice', '31'));
      const refused = b.update(decide('bob', '31'));
      await expect(refused).rejects.toMatchObject({ code: 'decision-conflict' });
      await expect(refused).rejects.toThrow(/web01\/subscription 31 was not saved: meanwhile alice decided/);
      const kept = await b.current();
      expect(kept.log.filter((l) => l.input.subscriptionId === '31').map((l) => l.author)).toEqual(['alice']);
      // with alice's decision seen, bob's about another object merges; so would one about 31 now
      await a.update(decide('alice', '32'));
      const merged = await b.update(decide('bob', '33'));
      expect(merged.log.map((l) => `${l.author}:${l.input.subscriptionId}`)).toEqual(
        expect.arrayContaining(['alice:31', 'alice:32', 'bob:33']),
      );
    } finally {
      await alice.close();
      await bob.close();
    }
  }, 60_000);

  it('brings a database of an older schema forward, once, recording who did', async () => {
    // as a version-2 Migration Manager left it
    pg.psql(
      'DROP INDEX mm_journal_jobs, mm_journal_steps; DROP TABLE mm_files, mm_project_keys, mm_secrets; DELETE FROM mm_schema WHERE version >= 3;',
    );
    const [x, y] = [new PgStore(url), new PgStore(url)];
    try {
      await Promise.all([x.ready(), y.ready()]);
      expect(pg.psql("SELECT count(*) FROM pg_indexes WHERE indexname = 'mm_journal_jobs';")).toMatch(
        /\b1\b/,
      );
      expect(pg.psql('SELECT version, applied_by FROM mm_schema WHERE version = 3;')).toMatch(
        /3 \| .+@.+:\d+/,
      );
      expect(pg.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'mm_files';")).toMatch(/\b1\b/);
    } finally {
      await x.close();
      await y.close();
    }
  }, 60_000);

  it('refuses a database written by a newer schema', async () => {
    pg.psql("INSERT INTO mm_schema (version, applied_by) VALUES (99, 'future');");
    const newer = new PgStore(url);
    try {
      await expect(newer.ready()).rejects.toMatchObject({ code: 'store-too-new' });
      expect(pg.psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM mm_schema;")).toContain(
        '1,2,3,4,5,6,7,99',
      );
    } finally {
      await newer.close();
      pg.psql('DELETE FROM mm_schema WHERE version = 99;');
    }
  }, 60_000);
});
