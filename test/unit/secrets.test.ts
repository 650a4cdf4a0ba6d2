import { readFile, stat } from 'node:fs/promises';
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

  it('binds a sealed value to its name and forgets by prefix', async () => {
    const dir = await tempDir();
    const store = new SealedSecretStore(dir);
    await store.set('a/one', 'x1');
    await store.set('a/two', 'x2');
    await store.set('b/one', 'y1');
    await store.deletePrefix('a/');
    expect(await store.get('a/one')).toBeUndefined();
    expect(await store.get('b/one')).toBe('y1');
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
