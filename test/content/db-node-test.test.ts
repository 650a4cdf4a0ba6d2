/**
 * `mm target node test db` checks what a restore needs, not just a writable folder: the node's
 * db-node.json names a database server, and each one named answers its own client on the node
 * (real MariaDB and PostgreSQL behind a real sshd, administered by socket authentication).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Core, createCore } from '../../electron/core/core';
import { tempDir } from '../helpers/paths';
import { type Sshd, startSshd } from '../helpers/sshd';
import { type TargetDatabases, startTargetDatabases } from './db-env';

let sshd: Sshd;
let dbs: TargetDatabases;
let core: Core;
let projectId: string;
let root: string;

beforeAll(async () => {
  [sshd, dbs] = await Promise.all([startSshd(), startTargetDatabases()]);
  core = createCore({ dataDir: await tempDir(), shell: 'test' });
  projectId = (await core.projects.create('DB node')).id;
  root = await tempDir('mm-db-node-root-');
  await core.nodes.add(projectId, {
    role: 'db',
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    root,
    privateKey: sshd.clientKey,
    hostKeyFingerprint: sshd.hostFingerprint,
  });
}, 180_000);

afterAll(async () => {
  await sshd?.stop();
  await dbs?.stop();
});

describe('the db node test', () => {
  it('fails naming db-node.json while it names no database server', async () => {
    await expect(core.nodes.test(projectId, 'db')).rejects.toMatchObject({
      code: 'node-unusable',
      message: expect.stringContaining(`${root}/db-node.json names no database server`),
    });
  });

  it('names each database server that answers', async () => {
    await writeFile(join(root, 'db-node.json'), JSON.stringify(dbs.config));
    const r = await core.nodes.test(projectId, 'db');
    expect(r.databases).toEqual([
      expect.stringMatching(/^MariaDB \d+\.\d+/),
      expect.stringMatching(/^PostgreSQL \d+/),
    ]);
  });

  it('fails naming the server that does not answer', async () => {
    await writeFile(
      join(root, 'db-node.json'),
      JSON.stringify({ ...dbs.config, mysql: { socket: join(root, 'no-such.sock'), user: 'root' } }),
    );
    await expect(core.nodes.test(projectId, 'db')).rejects.toMatchObject({
      code: 'node-unusable',
      message: expect.stringMatching(/the MariaDB\/MySQL server that .*db-node\.json names does not answer/),
    });
  });
});
