/**
 * A content resume that follows a shared project (issue 12 on issue 15's store), on real parts:
 * one project kept in a real PostgreSQL, two data dirs on it (two workstations or workers), the
 * demo layout behind one sshd, the web and mail nodes behind a second sshd reached through a TCP
 * proxy that counts the bytes sent to the node. `mm migrate` in data dir A is killed with
 * SIGKILL in the middle of a large site; `mm migrate` in data dir B — which never ran that
 * transfer, and holds no resume file of its own — resumes from the node's staging folder with
 * the list A kept in the database: only the rest of the site moves (counted), the files staged
 * whole before the kill keep their inodes, and the site on the node equals the source's file by
 * file. The log's rows are gone once the site is published.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllPgStores } from '../../electron/core/store/postgres-store';
import { tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { type Sshd, startSshd } from '../helpers/sshd';
import { copyDataDir } from '../helpers/store-under-test';
import { PROJECT, type PreparedSource, freshRun, mmOk, prepareSource } from '../migration/env';
import { tree } from './helpers';
import {
  type CountingProxy,
  addNodes,
  countingProxy,
  filesIn,
  killMigrateWhen,
  resumeLogs,
  resumeSite,
  siteStaging,
} from './resume-harness';

const MB = 1024 * 1024;
const FILES = 24;
const FILE_SIZE = 6 * MB;
const DOMAIN = 'patlens.test';

let source: PreparedSource;
let nodeSshd: Sshd;
let proxy: CountingProxy;
let pg: Postgres;

beforeAll(async () => {
  [source, nodeSshd, pg] = await Promise.all([
    prepareSource(),
    startSshd(),
    startPostgres({ database: 'mmresume', user: 'mm' }),
  ]);
  process.env['PGPASSWORD'] = pg.password;
  proxy = await countingProxy(nodeSshd.port);
}, 400_000);

afterAll(async () => {
  await closeAllPgStores();
  await proxy?.close();
  await pg?.stop();
  await source?.stop();
  await nodeSshd?.stop();
});

// mm project move into a PostgreSQL this test starts: from files, or on the PostgreSQL store from the
// suite's database (a move between databases), so it runs in either pass.
describe('a shared project: mm migrate killed in one data dir, resumed from another', () => {
  it('moves only the rest of the site: the resume log was in the database, not in the killed data dir', async () => {
    const docRoot = join(source.root, 'home/photo/web', DOMAIN, 'public_html');
    await mkdir(join(docRoot, 'gallery'), { recursive: true });
    for (let i = 0; i < FILES; i++)
      await writeFile(
        join(docRoot, 'gallery', `shot-${String(i).padStart(2, '0')}.raw`),
        randomBytes(FILE_SIZE),
      );
    const siteBytes = [...(await tree(docRoot)).values()].reduce((n, e) => n + (e.size ?? 0), 0);

    const { dataDir: dirA, sandbox } = await freshRun(source);
    const nodeDir = await tempDir('mm-resume-shared-nodes-');
    try {
      const url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
      await mmOk(dirA, ['project', 'move', '--store', url, '--json']);
      await addNodes(dirA, nodeDir, proxy.port, nodeSshd);
      // Data dir B: the same shared project (its folder's link) and the same credentials,
      // entered in a secret store of its own; nothing of A's transfer, which has not started.
      const dirB = await tempDir('mm-resume-shared-b-');
      await copyDataDir(dirA, dirB);
      const projectA = join(dirA, 'projects', PROJECT);
      const projectB = join(dirB, 'projects', PROJECT);

      const staging = (): string | undefined => siteStaging(sandbox, nodeDir, DOMAIN);
      // Kill A once a third of the gallery is staged whole and the database's log says so.
      let whole = new Map<string, { size: number; ino: number }>();
      let logged = 0;
      const { killed } = await killMigrateWhen(dirA, async () => {
        const dir = staging();
        if (!dir) return false;
        const held = await filesIn(join(dir, 'gallery'));
        whole = new Map([...held].filter(([, f]) => f.size === FILE_SIZE));
        if (whole.size < FILES / 3) return false;
        logged = Math.max(0, ...(await resumeLogs(projectA)).values());
        // The head line and at least one file line per whole file but the last batch's.
        return logged > 2;
      });
      expect(killed, 'the batch was killed in the middle of the site').toBe(true);
      expect(whole.size).toBeGreaterThanOrEqual(FILES / 3);
      expect(whole.size).toBeLessThan(FILES);
      // The log is rows of the shared project: A's folder holds no resume file.
      expect(existsSync(join(projectA, 'content-resume'))).toBe(false);
      const { held, movedAgain } = await resumeSite({
        dataDir: dirB,
        proxy,
        sandbox,
        nodeDir,
        domain: DOMAIN,
        docRoot,
        whole,
      });
      // Published: the log's rows are gone; B never kept a file either.
      expect([...(await resumeLogs(projectB)).keys()]).toEqual([]);
      expect(existsSync(join(projectB, 'content-resume'))).toBe(false);
      // B sent the rest of the site (plus SSH framing and the demo's other content, well under a
      // megabyte), not the whole site again: a file moved again would be 6 MB more.
      expect(movedAgain).toBeGreaterThan(siteBytes - held);
      expect(movedAgain).toBeLessThan(siteBytes - held + FILE_SIZE);
      console.log(
        `shared resume: A killed with ${whole.size} of ${FILES} files staged whole (${(held / MB).toFixed(1)} MB ` +
          `held, ${logged} log rows); B sent ${(movedAgain / MB).toFixed(1)} MB for a site of ${(siteBytes / MB).toFixed(1)} MB`,
      );
    } finally {
      await sandbox.close();
    }
  }, 600_000);
});
