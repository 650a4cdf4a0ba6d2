import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../electron/core/log/mask';
import { type MasterKeyGuard, SealedSecretStore } from '../../electron/core/secrets/secret-store';
import { failure } from '../helpers/failure';
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

/** A guard standing in for the OS keychain (Electron's safeStorage) in these tests: reversible, and switchable. */
function xorGuard(available = true): MasterKeyGuard & { on: boolean } {
  return {
    id: 'test-xor',
    name: 'test keyring',
    on: available,
    available() {
      return this.on;
    },
    seal: (k) => Buffer.from(k.map((b) => b ^ 0x5a)),
    unseal: (k) => Buffer.from(k.map((b) => b ^ 0x5a)),
  };
}

describe('secret store: the master key file', () => {
  it('writes a header naming its guard; the file guard stores the key itself, readable by the owner only', async () => {
    const dir = await tempDir();
    const store = new SealedSecretStore(dir);
    expect(store.protection).toBe('AES-256-GCM, master key protected by key file (0600)');
    await store.set('a', 'x');
    const bytes = await readFile(join(dir, 'secrets.key'));
    expect(bytes.subarray(0, 12).toString('latin1')).toBe('MMKEY1 file\n');
    expect(bytes.length).toBe(12 + 32);
    expect((await stat(join(dir, 'secrets.key'))).mode & 0o777).toBe(0o600);
  });

  it('seals the key with the preferred guard when it is available, and reads it back only through it', async () => {
    const dir = await tempDir();
    const guard = xorGuard();
    const store = new SealedSecretStore(dir, guard);
    expect(store.protection).toBe('AES-256-GCM, master key protected by test keyring');
    await store.set('a', 'sealed by the keyring');
    const bytes = await readFile(join(dir, 'secrets.key'));
    expect(bytes.subarray(0, 16).toString('latin1')).toBe('MMKEY1 test-xor\n');
    expect(await new SealedSecretStore(dir, xorGuard()).get('a')).toBe('sealed by the keyring');
    // A shell without that guard, or with it unavailable, says so by name instead of guessing.
    for (const other of [new SealedSecretStore(dir), new SealedSecretStore(dir, xorGuard(false))]) {
      const e = await failure(other.get('a'));
      expect(e).toMatchObject({ code: 'secret-key-unavailable', where: join(dir, 'secrets.key') });
      expect(e.message).toBe(
        `The secrets of this data dir are sealed with "test-xor", which this shell cannot open (${join(dir, 'secrets.key')}). Open it with the shell that created it, or move secrets.key and secrets.json away and enter the passwords again.`,
      );
    }
  });

  it('falls back to the key file when the preferred guard is unavailable', async () => {
    const dir = await tempDir();
    const store = new SealedSecretStore(dir, xorGuard(false));
    expect(store.protection).toBe('AES-256-GCM, master key protected by key file (0600)');
    await store.set('a', 'v');
    expect((await readFile(join(dir, 'secrets.key'))).subarray(0, 12).toString('latin1')).toBe(
      'MMKEY1 file\n',
    );
    expect(await new SealedSecretStore(dir).get('a')).toBe('v');
  });

  it('reads a key file written before headers existed (the raw 32 bytes)', async () => {
    const dir = await tempDir();
    await new SealedSecretStore(dir).set('a', 'old value');
    const bytes = await readFile(join(dir, 'secrets.key'));
    await writeFile(join(dir, 'secrets.key'), bytes.subarray(12), { mode: 0o600 });
    expect(await new SealedSecretStore(dir).get('a')).toBe('old value');
  });

  it('refuses a damaged key, and a later use after the file is repaired works (the failure is not cached)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'secrets.key'), 'MMKEY1 file\nshort', { mode: 0o600 });
    const store = new SealedSecretStore(dir);
    expect(await failure(store.set('a', 'v'))).toMatchObject({
      code: 'secret-key-invalid',
      message: `The key file ${join(dir, 'secrets.key')} is damaged.`,
    });
    await rm(join(dir, 'secrets.key'));
    await store.set('a', 'v');
    expect(await new SealedSecretStore(dir).get('a')).toBe('v');
  });

  it('refuses a key file others may read, naming its mode, and does not use it', async () => {
    const dir = await tempDir();
    await new SealedSecretStore(dir).set('a', 'v');
    await chmod(join(dir, 'secrets.key'), 0o644);
    const e = await failure(new SealedSecretStore(dir).get('a'));
    expect(e).toMatchObject({ code: 'secret-key-exposed', where: join(dir, 'secrets.key') });
    expect(e.message).toContain('(mode 0644)');
    expect(e.message).toContain(`chmod 600 ${join(dir, 'secrets.key')}`);
    await chmod(join(dir, 'secrets.key'), 0o600);
    expect(await new SealedSecretStore(dir).get('a')).toBe('v');
  });

  it('refuses to make a new key while secrets.json holds values sealed with the lost one', async () => {
    const dir = await tempDir();
    const store = new SealedSecretStore(dir);
    await store.set('a', '1');
    await store.set('b', '2');
    await rm(join(dir, 'secrets.key'));
    const e = await failure(new SealedSecretStore(dir).set('c', '3'));
    expect(e).toMatchObject({ code: 'secret-key-missing', where: join(dir, 'secrets.key') });
    expect(e.message).toContain(`${join(dir, 'secrets.json')} holds 2 secrets sealed with it`);
    await expect(readFile(join(dir, 'secrets.key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('several stores creating the key at once end up with one key that all their secrets use', async () => {
    for (let round = 0; round < 5; round++) {
      const dir = await tempDir();
      const stores = Array.from({ length: 4 }, () => new SealedSecretStore(dir));
      await Promise.all(stores.map((s, i) => s.seal(`ctx${i}`, 'x')));
      await Promise.all(stores.map((s, i) => s.set(`name${i}`, `value${i}`)));
      const fresh = new SealedSecretStore(dir);
      for (let i = 0; i < 4; i++) expect(await fresh.get(`name${i}`)).toBe(`value${i}`);
    }
  });
});

describe('secret store: sealing', () => {
  it('one sealer seals many values, each with its own nonce, each readable back, any text', async () => {
    const store = new SealedSecretStore(await tempDir());
    const seal = await store.sealer('inventory/web01');
    const values = ['päss✓wörd', 'same', 'same', '', 'x'.repeat(1000)];
    const sealed = values.map(seal);
    expect(new Set(sealed.map((v) => Buffer.from(v, 'base64').subarray(0, 12).toString('hex'))).size).toBe(5);
    for (const [i, v] of sealed.entries()) expect(await store.unseal('inventory/web01', v)).toBe(values[i]);
    expect(sealed[1]).not.toBe(sealed[2]);
  });

  it('a value that does not decrypt is refused by name with what to do', async () => {
    const store = new SealedSecretStore(await tempDir());
    const sealed = await store.seal('ctx', 'v');
    const broken = Buffer.from(sealed, 'base64');
    broken[broken.length - 1]! ^= 1;
    const e = await failure(store.unseal('ctx', broken.toString('base64')));
    expect(e).toMatchObject({ code: 'secret-unreadable', where: 'ctx' });
    expect(e.message).toBe(
      'The stored secret "ctx" cannot be decrypted (the master key changed?); enter it again.',
    );
  });

  it('a damaged secrets.json is reported as the secrets file, and one without a secrets map is refused', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'secrets.json'), '{"schemaVersion":1,"secrets":');
    expect((await failure(new SealedSecretStore(dir).get('a'))).message).toMatch(
      /^The secrets file .* is not valid JSON/,
    );
    await writeFile(join(dir, 'secrets.json'), JSON.stringify({ schemaVersion: 1, secrets: null }));
    expect(await failure(new SealedSecretStore(dir).get('a'))).toMatchObject({
      code: 'store-corrupt',
      message: expect.stringContaining('damaged: no secrets map'),
    });
    await writeFile(join(dir, 'secrets.json'), JSON.stringify({ schemaVersion: 1, secrets: 'x' }));
    expect(await failure(new SealedSecretStore(dir).get('a'))).toMatchObject({ code: 'store-corrupt' });
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
    for (const key of [
      'author',
      'authority',
      'oauth',
      'preauth',
      'login',
      'email',
      'number',
      'keyId',
      'user',
    ])
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
    let nested: unknown = 'innermost';
    for (let i = 0; i < 30; i++) nested = [nested];
    expect(JSON.stringify(maskSecrets(nested))).toBe(`${'['.repeat(25)}"…"${']'.repeat(25)}`);
    let shallow: unknown = { password: 'pw' };
    for (let i = 0; i < 23; i++) shallow = { next: shallow };
    expect(JSON.stringify(maskSecrets(shallow))).toContain('"password":"***"');
  });
});
