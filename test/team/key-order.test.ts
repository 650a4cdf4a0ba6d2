/**
 * A document's key order survives PostgreSQL (schema 6: `mm_documents.body` is json, not jsonb),
 * against a real PostgreSQL. jsonb keeps an object's keys in its own order (shorter keys
 * first), so every JSON text made of a document read back from it — verification's stamp, the
 * plan's fingerprint that a rehearsal's sign-off names — differed from the same document read
 * from its file. Here: one document written to a file and to a row gives the same text and the
 * same hash from both (where jsonb would have given another), and the demo project, verified on
 * files and moved into PostgreSQL by an open core, is still verified (not stale) with the same
 * stamp and the same plan fingerprint.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/handlers';
import type { Core } from '../../electron/core/core';
import { type DocumentSpec, type Versioned, LowdbDocument } from '../../electron/core/store/document-file';
import { PgDocument } from '../../electron/core/store/postgres-document';
import { PgStore } from '../../electron/core/store/postgres-store';
import type { Postgres } from '../helpers/postgres';
import { DEMO, type PgAndSandbox, cells, pgAndSandbox, verifiedDemo } from './team-helpers';

interface Ordered extends Versioned {
  schemaVersion: 1;
  [key: string]: unknown;
}

const SPEC: DocumentSpec<Ordered> = {
  kind: 'key order sample',
  currentVersion: 1,
  migrations: {},
  empty: () => ({ schemaVersion: 1 }),
};

/** Keys jsonb reorders at every depth: long before short, and not in code-point order. */
const SAMPLE: Ordered = {
  schemaVersion: 1,
  settings: {
    protectiveDays: 30,
    allowUpdateInfo: false,
    disableAfterMigration: false,
    unmappedPolicy: 'fail',
    inactivePolicy: 'reject',
    zz: 1,
    a: 2,
  },
  servers: [{ name: 'web01', id: 'w1', settings: { requireRegistration: true, x: 0 } }],
  zulu: 'last written first',
  b: null,
};

const stampOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

describe("a document's key order in PostgreSQL", () => {
  let servers: PgAndSandbox;
  let pg: Postgres;
  let dataDir: string;
  let url: string;

  beforeAll(async () => {
    // the documents start as files, whatever store the suite runs on
    servers = await pgAndSandbox({ database: 'mmorder', prefix: 'mm-key-order-' });
    ({ pg, dataDir, url } = servers);
  }, 300_000);

  afterAll(() => servers?.stop());

  it('reads a document back from a row with the keys in the order they were written, like the file', async () => {
    process.env['PGPASSWORD'] = pg.password;
    const file = join(dataDir, 'sample.json');
    const onFile = await LowdbDocument.open(file, SPEC);
    await onFile.save(structuredClone(SAMPLE));

    const writer = new PgStore(url);
    const reader = new PgStore(url);
    try {
      await writer.ready();
      const written = await PgDocument.open(writer, 'order-one', 'sample.json', file, SPEC);
      await written.save(structuredClone(SAMPLE));
      // another instance reads the row (nothing of the writer's memory)
      const fromRow = (await PgDocument.open(reader, 'order-one', 'sample.json', file, SPEC)).data;
      const fromFile = (await LowdbDocument.open(file, SPEC)).data;

      expect(JSON.stringify(fromRow)).toBe(JSON.stringify(SAMPLE));
      expect(JSON.stringify(fromFile)).toBe(JSON.stringify(SAMPLE));
      expect(stampOf(fromRow)).toBe(stampOf(fromFile));

      // the sample is one jsonb reorders: as jsonb the same row hashes differently
      const [asJsonb] = cells(
        pg,
        "SELECT body::jsonb::text FROM mm_documents WHERE project_id = 'order-one' AND path = 'sample.json';",
      );
      expect(asJsonb).toBeDefined();
      expect(stampOf(JSON.parse(asJsonb ?? 'null'))).not.toBe(stampOf(fromFile));
      expect(
        cells(
          pg,
          "SELECT data_type FROM information_schema.columns WHERE table_name = 'mm_documents' AND column_name = 'body';",
        ),
      ).toEqual(['json']);
    } finally {
      await writer.close();
      await reader.close();
      delete process.env['PGPASSWORD'];
    }
  }, 60_000);

  it('keeps the verification of a project moved to PostgreSQL fresh, with the same stamp and plan fingerprint', async () => {
    const core: Core = await verifiedDemo(join(dataDir, 'app'), servers.sandbox);

    // the servers' settings as the file holds them: in the order jsonb changes
    const projectFile = JSON.parse(
      await readFile(join(core.projects.projectDir(DEMO), 'project.json'), 'utf8'),
    ) as { servers: { settings: Record<string, unknown> }[] };
    const fileKeys = Object.keys(projectFile.servers[0]?.settings ?? {});
    expect(fileKeys.length).toBeGreaterThan(3);

    const stampBefore = (await core.verification.gather(DEMO)).stamp;
    const planBefore = await core.migration.plan(DEMO);
    expect(await core.verification.isFresh(DEMO)).toBe(true);

    const moved = await dispatch(core, 'projects:move-to-store', {
      projectId: DEMO,
      address: url,
      password: pg.password,
    });
    expect(moved.ok ? undefined : moved.error).toBeUndefined();

    // jsonb would have reordered those keys: the row keeps them
    const keysAs = (type: 'json' | 'jsonb'): string | undefined =>
      cells(
        pg,
        `SELECT string_agg(k, ',' ORDER BY n) FROM mm_documents,
           ${type}_object_keys((body->'servers'->0->'settings')::${type}) WITH ORDINALITY AS t(k, n)
          WHERE project_id = '${DEMO}' AND path = 'project.json';`,
      )[0];
    const asJson = keysAs('json');
    const asJsonb = keysAs('jsonb');
    expect(asJson).toBe(fileKeys.join(','));
    expect(asJsonb).not.toBe(fileKeys.join(','));

    expect(await core.verification.isFresh(DEMO)).toBe(true);
    expect((await core.verification.summary(DEMO)).stale).toBe(false);
    expect((await core.verification.gather(DEMO)).stamp).toBe(stampBefore);
    expect((await core.migration.plan(DEMO)).fingerprint).toBe(planBefore.fingerprint);
  }, 300_000);
});
