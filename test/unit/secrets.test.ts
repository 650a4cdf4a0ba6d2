import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../electron/core/log/mask';
import { SealedSecretStore } from '../../electron/core/secrets/secret-store';
import { tempDir } from '../helpers/paths';

describe('secret store', () => {
  it('keeps secrets sealed on disk and readable through the store', async () => {
    const dir = await tempDir();
    const store = new SealedSecretStore(dir);
    await store.set('project/p/server/s1/password', 'Tr0ub4dor&3-secret');
    expect(await new SealedSecretStore(dir).get('project/p/server/s1/password')).toBe('Tr0ub4dor&3-secret');
    const onDisk = await readFile(join(dir, 'secrets.json'), 'utf8');
    expect(onDisk).not.toContain('Tr0ub4dor');
    expect((await stat(join(dir, 'secrets.key'))).mode & 0o777).toBe(0o600);
  });

  it('binds a sealed value to its name: copied under another name in secrets.json it is refused', async () => {
    const dir = await tempDir();
    const store = new SealedSecretStore(dir);
    await store.set('project/p/server/web01/password', 'web01-root-pw');
    await store.set('project/p/server/web02/password', 'web02-root-pw');
    // Someone with write access to secrets.json moves web01's sealed password under web02's name.
    const file = join(dir, 'secrets.json');
    const doc = JSON.parse(await readFile(file, 'utf8')) as { secrets: Record<string, string> };
    doc.secrets['project/p/server/web02/password'] = doc.secrets['project/p/server/web01/password']!;
    await writeFile(file, JSON.stringify(doc));
    const fresh = new SealedSecretStore(dir);
    expect(await fresh.get('project/p/server/web01/password')).toBe('web01-root-pw');
    await expect(fresh.get('project/p/server/web02/password')).rejects.toMatchObject({
      code: 'secret-unreadable',
      where: 'project/p/server/web02/password',
    });
    // The same binding holds for values sealed for other uses (an inventory's passwords).
    const sealed = await fresh.seal('inventory/web01/customer/a1', 'customer-pw');
    expect(await fresh.unseal('inventory/web01/customer/a1', sealed)).toBe('customer-pw');
    await expect(fresh.unseal('inventory/web01/customer/a2', sealed)).rejects.toMatchObject({
      code: 'secret-unreadable',
    });
  });

  it('forgets secrets by prefix, and one by its exact name', async () => {
    const dir = await tempDir();
    const store = new SealedSecretStore(dir);
    await store.set('a/one', 'x1');
    await store.set('a/two', 'x2');
    await store.set('b/one', 'y1');
    await store.deletePrefix('a/');
    expect(await store.get('a/one')).toBeUndefined();
    expect(await store.get('a/two')).toBeUndefined();
    expect(await store.get('b/one')).toBe('y1');
    await store.set('b/one-more', 'y2');
    await store.delete('b/one');
    expect(await store.get('b/one')).toBeUndefined();
    expect(await store.get('b/one-more')).toBe('y2');
  });
});

describe('log masking', () => {
  it('masks secret-looking fields at any depth', () => {
    expect(
      maskSecrets({
        login: 'bob',
        password: 'pw',
        auth: { token: 't' },
        list: [{ passphrase: 'pp', port: 22 }],
      }),
    ).toEqual({
      login: 'bob',
      password: '***',
      auth: { token: '***' },
      list: [{ passphrase: '***', port: 22 }],
    });
  });
});
