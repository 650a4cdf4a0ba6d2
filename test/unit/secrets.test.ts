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

  it('knows a secret by its key: every spelling of password, passphrase, secret, token, private key, credential, auth, card number', () => {
    const secretKeys = [
      'pass',
      'password',
      'Password',
      'passphrase',
      'dbPass',
      'client_secret',
      'apiToken',
      'privateKey',
      'private_key',
      'PRIVATE-KEY',
      'password_crypted',
      'crypted',
      'credentials',
      'auth',
      'encryptedNumber',
      'encrypted_number',
    ];
    for (const key of secretKeys) expect(maskSecrets({ [key]: 'v' }), key).toEqual({ [key]: '***' });
    for (const key of ['author', 'authority', 'login', 'email', 'number', 'keyId', 'user'])
      expect(maskSecrets({ [key]: 'v' }), key).toEqual({ [key]: 'v' });
  });

  it('masks every string and number inside a secret, keeps its shape, booleans and null', () => {
    expect(
      maskSecrets({
        password: { value: 'pw', scheme: 'md5', rounds: 5000, set: true, old: null },
        tokens: ['a', 'b', 7],
        credential: [{ user: 'u', pin: 1234 }],
      }),
    ).toEqual({
      password: { value: '***', scheme: '***', rounds: '***', set: true, old: null },
      tokens: ['***', '***', '***'],
      credential: [{ user: '***', pin: '***' }],
    });
    expect(maskSecrets('plain')).toBe('plain');
    expect(maskSecrets(42)).toBe(42);
    expect(maskSecrets(null)).toBeNull();
    expect(maskSecrets([{ secret: 's' }, 'x'])).toEqual([{ secret: '***' }, 'x']);
  });

  it('stops at depth 24 with an ellipsis, so a cyclic or absurdly deep value cannot hang the log', () => {
    let deep: unknown = { password: 'bottom' };
    for (let i = 0; i < 30; i++) deep = { next: deep };
    const text = JSON.stringify(maskSecrets(deep));
    expect(text).not.toContain('bottom');
    expect(text.match(/next/g)).toHaveLength(25);
    expect(text).toContain('"next":"…"');
    let shallow: unknown = { password: 'pw' };
    for (let i = 0; i < 23; i++) shallow = { next: shallow };
    expect(JSON.stringify(maskSecrets(shallow))).toContain('"password":"***"');
  });
});
