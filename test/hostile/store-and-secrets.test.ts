/**
 * Hostile or damaged files in the data dir: project files, the secret store and inventories.
 * A damaged file is named with what is wrong with it; a failed command changes nothing.
 */
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Core, createCore } from '../../electron/core/core';
import { runMm } from '../helpers/processes';
import { coreInSandbox, importedWeb01 } from './hostile-core';
import { type Sandbox, hashTree, refusedWithoutTrace } from './untouched';
import { describeFileStoreOnly } from '../helpers/file-store-only';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const VALID_XML = `<?xml version="1.0"?>
<hostingPlatform apiVersion="2">
  <platform kind="linux"/>
  <servers/>
  <serviceTemplates/>
  <accounts>
    <account id="acme" type="customer"/>
  </accounts>
  <subscriptions/>
  <domains/>
</hostingPlatform>
`;

describeFileStoreOnly('damaged project.json files')(
  'damaged project files are named, never called missing',
  () => {
    let box: Sandbox;
    let core: Core;
    let file: string;

    beforeEach(async () => {
      ({ box, core } = await coreInSandbox('Acme', 'Other'));
      file = join(box.dataDir, 'projects', 'acme', 'project.json');
    });

    const damages: [string, (text: string) => string, string, RegExp][] = [
      ['corrupt JSON', () => '{"schemaVersion":1,"id":"acme",', 'store-corrupt', /is not valid JSON/],
      ['an empty file', () => '', 'store-corrupt', /is not valid JSON/],
      ['a truncated file', (t) => t.slice(0, t.length / 2), 'store-corrupt', /is not valid JSON/],
      [
        'a newer schema version',
        (t) => t.replace('"schemaVersion":1', '"schemaVersion":7'),
        'store-too-new',
        /newer Migration Manager \(schema 7/,
      ],
      [
        'no createdAt',
        (t) => t.replace(/"createdAt":"[^"]*",/, ''),
        'store-corrupt',
        /its createdAt is not a text/,
      ],
      ['a JSON array', () => '[]', 'store-corrupt', /does not hold a JSON object/],
      ['a string demo flag', (t) => t.replace('"demo":false', '"demo":"yes"'), 'store-corrupt', /demo flag/],
    ];

    it.each(damages)(
      'a project.json with %s is reported by file and problem',
      async (_label, damage, code, message) => {
        await writeFile(file, damage(await readFile(file, 'utf8')));
        const e = await refusedWithoutTrace(box, () => core.projects.resolve('Acme'));
        expect(e).toMatchObject({ code });
        expect(messageOf(e)).toContain(file);
        expect(messageOf(e)).toMatch(message);
        // The other project still lists and resolves.
        expect((await core.projects.list()).map((p) => [p.id, p.problem === undefined])).toEqual([
          ['acme', false],
          ['other', true],
        ]);
        await expect(core.projects.resolve('Other')).resolves.toMatchObject({ id: 'other' });
      },
    );

    it('`mm server list --project acme` on a truncated project.json names the file', async () => {
      await writeFile(file, (await readFile(file, 'utf8')).slice(0, 20));
      const before = await hashTree(box.root);
      const run = await runMm(['server', 'list', '--project', 'acme', '--data-dir', box.dataDir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(file);
      expect(run.stderr).not.toMatch(/There is no project/);
      expect(await hashTree(box.root)).toEqual(before);
    });
  },
);

describe('the secret store', () => {
  let box: Sandbox;
  let core: Core;

  beforeEach(async () => {
    ({ box, core } = await coreInSandbox('Acme'));
    await core.target.set('acme', {
      poaUrl: 'https://poa.example:8440/RPC2',
      poaUser: 'admin',
      poaPassword: 'first-Pa55',
    });
  });

  const target = { poaUrl: 'https://evil.example:8440/RPC2', poaUser: 'mallory', poaPassword: 'second-Pa55' };

  it('`target set` with a damaged secrets.json saves neither URL nor user', async () => {
    await writeFile(join(box.dataDir, 'secrets.json'), '{"schemaVersion":1,"secrets":');
    const fresh = createCore({ dataDir: box.dataDir, shell: 'test' });
    const e = await refusedWithoutTrace(box, () => fresh.target.set('acme', target));
    expect(e).toMatchObject({ code: 'store-corrupt' });
    expect(messageOf(e)).toContain('secrets.json');
  });

  it('`target set` with a damaged secrets.key saves neither URL nor user', async () => {
    await writeFile(join(box.dataDir, 'secrets.key'), 'MMKEY1 file\nshort', { mode: 0o600 });
    const fresh = createCore({ dataDir: box.dataDir, shell: 'test' });
    const e = await refusedWithoutTrace(box, () => fresh.target.set('acme', target));
    expect(e).toMatchObject({ code: 'secret-key-invalid' });
  });

  it('`mm target set` with a damaged secrets.json fails and changes nothing', async () => {
    await writeFile(join(box.dataDir, 'secrets.json'), '[]');
    const before = await hashTree(box.root);
    const run = await runMm(
      [
        'target',
        'set',
        '--poa-url',
        target.poaUrl,
        '--poa-user',
        'mallory',
        '--poa-password-stdin',
        '--project',
        'acme',
        '--data-dir',
        box.dataDir,
      ],
      {},
      'second-Pa55\n',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('secrets.json');
    expect(await hashTree(box.root)).toEqual(before);
  });

  it('a missing secrets.key while secrets.json holds sealed secrets is refused, naming both files', async () => {
    await rename(join(box.dataDir, 'secrets.key'), join(box.root, 'moved.key'));
    const fresh = createCore({ dataDir: box.dataDir, shell: 'test' });
    const e = await refusedWithoutTrace(box, () => fresh.secrets.get('project/acme/target/poa-password'));
    expect(e).toMatchObject({ code: 'secret-key-missing' });
    expect(messageOf(e)).toContain(join(box.dataDir, 'secrets.key'));
    expect(messageOf(e)).toContain(join(box.dataDir, 'secrets.json'));
    expect(messageOf(e)).toMatch(/Restore secrets\.key from a backup/);
    // Setting a new secret must not mint a new key either.
    await refusedWithoutTrace(box, () => fresh.secrets.set('project/acme/x', 'y'));
  });

  it.each(['0644', '0640', '0604', '0666'])(
    'a secrets.key with mode %s is refused, as OpenSSH refuses a loose key',
    async (mode) => {
      await chmod(join(box.dataDir, 'secrets.key'), parseInt(mode, 8));
      const fresh = createCore({ dataDir: box.dataDir, shell: 'test' });
      const e = await refusedWithoutTrace(box, () => fresh.secrets.get('project/acme/target/poa-password'));
      expect(e).toMatchObject({ code: 'secret-key-exposed' });
      expect(messageOf(e)).toContain(`chmod 600 ${join(box.dataDir, 'secrets.key')}`);
    },
  );

  it('a secrets.key of mode 0600 still opens the stored secrets (control)', async () => {
    const fresh = createCore({ dataDir: box.dataDir, shell: 'test' });
    await expect(fresh.secrets.get('project/acme/target/poa-password')).resolves.toBe('first-Pa55');
  });
});

describeFileStoreOnly('inventory files damaged on disk and set aside as .corrupt')(
  'an inventory file of the wrong shape',
  () => {
    let box: Sandbox;
    let core: Core;
    let file: string;

    beforeEach(async () => {
      ({ box, core } = await coreInSandbox('Acme'));
      await importedWeb01(box, core, 'inv.xml', VALID_XML);
      file = join(box.dataDir, 'projects', 'acme', 'inventory', 'web01.json');
    });

    const shapes: [
      string,
      (doc: Record<string, unknown> & { inventory: Record<string, unknown> }) => unknown,
      RegExp,
    ][] = [
      [
        'accounts that are a number',
        (d) => ({ ...d, inventory: { ...d.inventory, accounts: 5 } }),
        /its accounts are not a list/,
      ],
      [
        'a null account',
        (d) => ({ ...d, inventory: { ...d.inventory, accounts: [null] } }),
        /accounts entry 1 is not an object with an id/,
      ],
      ['an inventory that is a string', (d) => ({ ...d, inventory: 'x' }), /its inventory is not an object/],
    ];

    it.each(shapes)(
      'with %s is reported as store-corrupt by name, and kept when the next import replaces it',
      async (_label, damage, message) => {
        const damaged = JSON.stringify(damage(JSON.parse(await readFile(file, 'utf8'))));
        await writeFile(file, damaged);
        const fresh = createCore({ dataDir: box.dataDir, shell: 'test' });
        const e = await refusedWithoutTrace(box, () => fresh.inventory.load('acme', 'web01'));
        expect(e).toMatchObject({ code: 'store-corrupt' });
        expect(messageOf(e)).toContain(file);
        expect(messageOf(e)).toMatch(message);

        await fresh.inventory.importFile('acme', 'web01', join(box.root, 'inv.xml'));
        expect(await readFile(`${file}.corrupt`, 'utf8')).toBe(damaged);
        expect((await fresh.inventory.load('acme', 'web01'))?.accounts.map((a) => a.id)).toEqual(['acme']);
      },
    );
  },
);
