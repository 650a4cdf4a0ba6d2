/**
 * Engineers of a shared project share its sealed credentials (issue 15), against a real
 * PostgreSQL and a real sshd: data dir A creates a shared project (`mm project create --store`)
 * and registers a source server with a key and its passphrase; data dir B attaches it and is refused the
 * credential, naming the grant to ask for; A grants B's public key (`mm project grant`), and B
 * logs into the sshd with the credential it never typed. Neither the database dump nor any file
 * of either data dir holds the passphrase, the key or the project key in plain text. A revoke refuses B
 * again; a rotation re-seals the credential under a new key that the old one does not open.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/handlers';
import { type Core, createCore } from '../../electron/core/core';
import { engineerKey } from '../../electron/core/secrets/engineer-key';
import { openProjectKey, openSecret } from '../../electron/core/secrets/project-key';
import { sharedSecrets } from '../../electron/core/secrets/shared-secrets';
import { type Postgres, postgresBinDir } from '../helpers/postgres';
import { type Sshd, sshdSource, startSshd } from '../helpers/sshd';
import { cells } from './team-helpers';
import { type TwoEngineers, twoEngineers } from './two-engineers';
import { filesUnder } from '../helpers/files-under';

const run = promisify(execFile);
const PROJECT = 'shared';
const TARGET_PASSWORD = `tp-${Math.random().toString(36).slice(2)}<&>`;
const PASSPHRASE = `pp-${Math.random().toString(36).slice(2)}'"$;`;

describe('a shared project’s credentials, sealed per engineer', () => {
  let team: TwoEngineers;
  let pg: Postgres;
  let sshd: Sshd;
  let dataA: string;
  let dataB: string;
  let url: string;
  let alice: Core;
  let bob: Core;
  /** the key's passphrase: a server credential like a password */
  const password = PASSPHRASE;
  /** `mm` as an engineer runs it, in a data dir; the database password from PGPASSWORD. */
  const mm = (dataDir: string, ...args: string[]): Promise<string> => team.mm(dataDir, ...args);

  const serverTest = (core: Core): ReturnType<Core['servers']['test']> => core.servers.test(PROJECT, 'web');

  beforeAll(async () => {
    [team, sshd] = await Promise.all([
      twoEngineers({ database: 'mmkeys', prefix: 'mm-keys-' }),
      // a passphrase-protected key: a server credential beside the key itself, both sealed
      startSshd({ passphrase: PASSPHRASE }),
    ]);
    ({ pg, url, dataA, dataB } = team);
    await mm(dataA, 'project', 'create', 'Shared', '--store', url);
    alice = createCore({ dataDir: dataA, shell: 'cli' });
    bob = createCore({ dataDir: dataB, shell: 'cli' });
    // the target's credential too, typed by alice only
    await alice.target.set(PROJECT, {
      poaUrl: 'https://poa.example.test:8440/RPC2',
      poaPassword: TARGET_PASSWORD,
    });
    await alice.servers.add(PROJECT, {
      name: 'web',
      kind: 'linux',
      connection: sshdSource(sshd).connection,
      credentials: { privateKey: sshd.clientKey, passphrase: password },
    });
    await mm(dataB, 'project', 'attach', PROJECT, '--store', url);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([team?.stop(), sshd?.stop()]);
  });

  it('keeps the credential sealed in the database under a key its creator holds', async () => {
    expect(cells(pg, `SELECT name FROM mm_secrets WHERE project_id = '${PROJECT}' ORDER BY name;`)).toEqual([
      'server/web/passphrase',
      'server/web/privateKey',
      'target/poa-password',
    ]);
    const creator = (await engineerKey(sharedSecrets(alice.secrets).local)).publicKey.fingerprint;
    expect(
      cells(pg, `SELECT engineer_fingerprint FROM mm_project_keys WHERE project_id = '${PROJECT}';`),
    ).toEqual([creator]);
    // the creator reads it and logs in with it
    expect((await serverTest(alice)).perl).toMatch(/^5\./);
  }, 120_000);

  it('refuses a data dir that was not given the key, saying what to run', async () => {
    expect((await bob.servers.list(PROJECT)).map((s) => s.name)).toEqual(['web']);
    const bobKey = (await mm(dataB, 'engineer', 'key')).split('\n')[0] ?? '';
    expect(bobKey).toMatch(/^mm-x25519:[A-Za-z0-9_-]{43}$/);
    // the app shows the same key (the Open shared project form)
    const shown = await dispatch(bob, 'projects:engineer-key', {});
    expect(shown.ok ? (shown.value as { publicKey: string }).publicKey : shown.error.message).toBe(bobKey);
    const refused = serverTest(bob);
    await expect(refused).rejects.toMatchObject({ code: 'project-key-not-granted' });
    await expect(refused).rejects.toThrow(`mm project grant ${PROJECT} --engineer ${bobKey}`);
  }, 120_000);

  it('lets a granted data dir log in with the credential it never typed; nothing plain anywhere', async () => {
    const bobKey = JSON.parse(await mm(dataB, 'engineer', 'key', '--json')) as {
      publicKey: string;
      fingerprint: string;
    };
    await mm(dataA, 'project', 'grant', PROJECT, '--engineer', bobKey.publicKey, '--name', 'bob');
    expect(
      cells(pg, `SELECT name FROM mm_project_keys WHERE project_id = '${PROJECT}' ORDER BY name;`),
    ).toContain('bob');
    const test = await serverTest(bob);
    expect(test.perl).toMatch(/^5\./);
    expect(await bob.secrets.get(`project/${PROJECT}/server/web/passphrase`)).toBe(password);
    expect((await bob.target.get(PROJECT)).poa).toMatchObject({ hasPassword: true });
    expect(await bob.secrets.get(`project/${PROJECT}/target/poa-password`)).toBe(TARGET_PASSWORD);

    // the project key as bob's copy opens it: looked for in plain too, in any usual encoding
    const me = await engineerKey(sharedSecrets(bob.secrets).local);
    const [row] = cells(
      pg,
      `SELECT key_id || ' ' || sealed_key FROM mm_project_keys WHERE engineer_fingerprint = '${me.publicKey.fingerprint}';`,
    );
    const [keyId, sealedKey] = (row ?? '').split(' ');
    const projectKey = openProjectKey(sealedKey ?? '', PROJECT, keyId ?? '', me);
    if (!projectKey) throw new Error("bob's copy of the project key did not open");
    const privateKeyBody = sshd.clientKey.split('\n')[1] ?? '';
    expect(privateKeyBody.length).toBeGreaterThan(40);
    const plain = [
      password,
      TARGET_PASSWORD,
      privateKeyBody,
      projectKey.toString('hex'),
      projectKey.toString('base64'),
      projectKey.toString('latin1'),
    ];

    const env: NodeJS.ProcessEnv = { ...process.env, PGPASSWORD: pg.password };
    const { stdout: dumped } = await run(
      join(postgresBinDir(), 'pg_dump'),
      ['-h', '127.0.0.1', '-p', String(pg.port), '-U', pg.user, pg.database],
      { env, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(dumped).toContain('mm_secrets'); // the dump is of the right database
    for (const p of plain) expect(dumped.includes(p), 'the database dump holds a plain secret').toBe(false);
    const files = [...(await filesUnder(dataA)), ...(await filesUnder(dataB))];
    expect(files.some((f) => f.endsWith('store.json'))).toBe(true); // the project folders are in there
    for (const f of files) {
      const bytes = await readFile(f);
      for (const p of plain)
        expect(
          bytes.includes(Buffer.from(p, p === plain[5] ? 'latin1' : 'utf8')),
          `${f} holds a plain secret`,
        ).toBe(false);
    }
  }, 180_000);

  it('refuses a revoked data dir again; a rotated key re-seals what the old one opened', async () => {
    const bobKey = JSON.parse(await mm(dataB, 'engineer', 'key', '--json')) as { fingerprint: string };
    const me = await engineerKey(sharedSecrets(bob.secrets).local);
    const [row] = cells(
      pg,
      `SELECT key_id || ' ' || sealed_key FROM mm_project_keys WHERE engineer_fingerprint = '${bobKey.fingerprint}';`,
    );
    const [keyId, sealedKey] = (row ?? '').split(' ');
    const kept = openProjectKey(sealedKey ?? '', PROJECT, keyId ?? '', me);
    if (!kept) throw new Error("bob's copy of the project key did not open");

    await mm(dataA, 'project', 'revoke', PROJECT, '--engineer', bobKey.fingerprint);
    await expect(serverTest(bob)).rejects.toMatchObject({ code: 'project-key-not-granted' });
    // the last holder cannot be revoked: the credentials would be sealed for no one
    const alicePrint = (await engineerKey(sharedSecrets(alice.secrets).local)).publicKey.fingerprint;
    await expect(mm(dataA, 'project', 'revoke', PROJECT, '--engineer', alicePrint)).rejects.toThrow(
      /last engineer/,
    );

    // a key bob kept still opens today's sealed value: the reason to rotate
    const sealedBefore =
      cells(pg, `SELECT sealed FROM mm_secrets WHERE name = 'server/web/passphrase';`)[0] ?? '';
    expect(openSecret(kept, PROJECT, 'server/web/passphrase', sealedBefore)).toBe(password);
    await mm(dataA, 'project', 'rotate-key', PROJECT);
    const sealedAfter =
      cells(pg, `SELECT sealed FROM mm_secrets WHERE name = 'server/web/passphrase';`)[0] ?? '';
    expect(sealedAfter).not.toBe(sealedBefore);
    expect(() => openSecret(kept, PROJECT, 'server/web/passphrase', sealedAfter)).toThrow(/does not open/);
    // the engineers who remain read it as before
    expect((await serverTest(alice)).perl).toMatch(/^5\./);
  }, 180_000);
});
