/**
 * The sealing of a shared project's key and credentials (issue 15), on real data dirs' secret
 * stores: a project key sealed for one engineer opens only with that engineer's private key,
 * and only for the project, key generation and fingerprint it was sealed for; a credential
 * sealed under the project key opens only under its own name and project. A public key typed
 * wrong is refused naming what and where.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENGINEER_KEY_NAME, engineerKey, parsePublicKey } from '../../electron/core/secrets/engineer-key';
import {
  openProjectKey,
  openSecret,
  sealProjectKey,
  sealSecret,
} from '../../electron/core/secrets/project-key';
import { SealedSecretStore } from '../../electron/core/secrets/secret-store';
import { tempDir } from '../helpers/paths';

async function engineer(): Promise<{ dir: string; key: Awaited<ReturnType<typeof engineerKey>> }> {
  const dir = await tempDir('mm-engineer-');
  return { dir, key: await engineerKey(new SealedSecretStore(dir)) };
}

describe('project key sealing', () => {
  it('keeps the engineer key sealed in the data dir, the same on every read', async () => {
    const dir = await tempDir('mm-engineer-');
    const store = new SealedSecretStore(dir);
    const first = await engineerKey(store);
    const again = await engineerKey(new SealedSecretStore(dir));
    expect(again.publicKey.text).toBe(first.publicKey.text);
    expect(first.publicKey.text).toMatch(/^mm-x25519:[A-Za-z0-9_-]{43}$/);
    expect(first.publicKey.fingerprint).toMatch(/^[0-9a-f]{4}(:[0-9a-f]{4}){3}$/);
    const der = (await store.get(ENGINEER_KEY_NAME)) ?? '';
    const onDisk = await readFile(join(dir, 'secrets.json'), 'utf8');
    expect(onDisk).toContain(ENGINEER_KEY_NAME);
    expect(onDisk).not.toContain(der); // the private key is there only sealed
    expect(parsePublicKey(first.publicKey.text).fingerprint).toBe(first.publicKey.fingerprint);
  });

  it('opens a project key only for the engineer, project and generation it was sealed for', async () => {
    const [alice, bob] = await Promise.all([engineer(), engineer()]);
    const projectKey = randomBytes(32);
    const sealed = sealProjectKey(projectKey, 'p1', 'k1', bob.key.publicKey);
    expect(openProjectKey(sealed, 'p1', 'k1', bob.key)?.equals(projectKey)).toBe(true);
    expect(openProjectKey(sealed, 'p1', 'k1', alice.key)).toBeUndefined();
    expect(openProjectKey(sealed, 'p2', 'k1', bob.key)).toBeUndefined();
    expect(openProjectKey(sealed, 'p1', 'k2', bob.key)).toBeUndefined();
    const raw = Buffer.from(sealed, 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(openProjectKey(raw.toString('base64'), 'p1', 'k1', bob.key)).toBeUndefined();
    // a fresh ephemeral key each time: two seals of one key never look alike
    expect(sealProjectKey(projectKey, 'p1', 'k1', bob.key.publicKey)).not.toBe(sealed);
  });

  it('opens a credential only under its own name and project', () => {
    const key = randomBytes(32);
    const sealed = sealSecret(key, 'p1', 'server/web/password', 's3cret');
    expect(Buffer.from(sealed, 'base64').includes(Buffer.from('s3cret'))).toBe(false);
    expect(openSecret(key, 'p1', 'server/web/password', sealed)).toBe('s3cret');
    expect(() => openSecret(key, 'p1', 'server/other/password', sealed)).toThrow(/does not open/);
    expect(() => openSecret(key, 'p2', 'server/web/password', sealed)).toThrow(/does not open/);
    expect(() => openSecret(randomBytes(32), 'p1', 'server/web/password', sealed)).toThrow(/does not open/);
  });

  it('refuses a public key typed wrong, naming where', () => {
    for (const bad of ['', 'ssh-ed25519 AAAA', 'mm-x25519:short', `mm-x25519:${'A'.repeat(44)}`])
      expect(() => parsePublicKey(bad)).toThrow(/--engineer: .*not an engineer's public key/);
  });
});
