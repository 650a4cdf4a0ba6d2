/**
 * A decision refused as conflicting on the shared store writes nothing. Two engineers on one
 * project shared on a real PostgreSQL: Alice (`mm`, another data dir) unselects a domain and
 * undoes it; Bob's app, which read the project before and has not heard of it, unselects the
 * same domain. Bob's decision is refused — and the selection still holds the domain (before,
 * the selection was written first and only the log entry was refused, so the domain was left
 * unselected by a decision nobody can see or undo).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Core, createCore } from '../../electron/core/core';
import { closeAllPgStores } from '../../electron/core/store/postgres-store';
import { tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { mmOk } from '../migration/env';
import { cells } from './team-helpers';

const DEMO = 'demo-migration';
const SERVER = 'demo-linux-server';

describe('a conflicting decision on the shared store', () => {
  let pg: Postgres;
  let alice: string;
  let bob: Core;

  beforeAll(async () => {
    pg = await startPostgres({ database: 'mmdecide', user: 'mm' });
    process.env['PGPASSWORD'] = pg.password;
    const url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
    alice = await tempDir('mm-alice-');
    await mmOk(alice, ['project', 'demo']);
    await mmOk(alice, ['select', 'all', '--server', SERVER, '--project', DEMO]);
    await mmOk(alice, ['project', 'move', '--store', url, '--project', DEMO]);
    const bobDir = await tempDir('mm-bob-');
    await mmOk(bobDir, ['project', 'attach', DEMO, '--store', url]);
    bob = createCore({ dataDir: bobDir, shell: 'test' });
  }, 300_000);

  afterAll(async () => {
    await closeAllPgStores();
    await pg?.stop();
  });

  /** The selected domains of the server, as the database holds them now. */
  const selectedInDb = (): string[] =>
    cells(
      pg,
      `SELECT json_array_elements_text(body->'servers'->'${SERVER}'->'domains') FROM mm_documents
        WHERE path = 'selection.json';`,
    );

  it('is refused whole: neither the log nor the selection changes', async () => {
    const inventory = await bob.inventory.load(DEMO, SERVER);
    const domain = inventory?.domains[0]?.id;
    if (domain === undefined) throw new Error('the demo server has no domain');
    // Bob's app reads the project (decisions and selection), then hears nothing more
    expect(await bob.decisions.list(DEMO)).toEqual([]);
    expect(await bob.selection.isDomainSelected(DEMO, SERVER, domain)).toBe(true);

    // Alice unselects the domain and takes it back
    await mmOk(alice, ['decide', 'unselect', domain, '--server', SERVER, '--project', DEMO]);
    const [made] = JSON.parse(
      (await mmOk(alice, ['decide', 'list', '--project', DEMO, '--json'])).stdout,
    ) as {
      id: string;
    }[];
    if (!made) throw new Error("Alice's decision is not listed");
    await mmOk(alice, ['decide', 'undo', made.id, '--project', DEMO]);
    expect(selectedInDb()).toContain(domain);
    const revisions = cells(pg, `SELECT path || '@' || revision FROM mm_documents ORDER BY path;`);

    // Bob decides on the same domain without having seen her decision
    const refused = bob.decisions.apply(
      DEMO,
      { kind: 'unselect', serverId: SERVER, domainId: domain },
      'bob',
    );
    await expect(refused).rejects.toMatchObject({ code: 'decision-conflict' });
    await expect(refused).rejects.toThrow(/was not saved: meanwhile .* decided/);

    // nothing of Bob's decision anywhere: the domain still selected, no document written
    expect(selectedInDb()).toContain(domain);
    expect(cells(pg, `SELECT path || '@' || revision FROM mm_documents ORDER BY path;`)).toEqual(revisions);
    const log = cells(
      pg,
      `SELECT e->>'author' FROM mm_documents, json_array_elements(body->'log') e WHERE path = 'decisions.json';`,
    );
    expect(log).not.toContain('bob');
    expect(log).toHaveLength(1);
  }, 300_000);
});
