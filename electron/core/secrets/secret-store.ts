/**
 * Secrets (server passwords, key passphrases, target credentials) never sit on disk in plain
 * text. They are sealed with AES-256-GCM under a master key:
 * - in the desktop app the master key is itself sealed by Electron's safeStorage (the OS
 *   keychain / libsecret / DPAPI) — see `MasterKeyGuard`;
 * - in the browser host and the CLI it is a random key in `<data>/secrets.key`, readable by the
 *   user only (0600), the equivalent of an SSH private key.
 * Sealed values live in `<data>/secrets.json`, keyed by a stable name like
 * `project/<id>/server/<name>/password`. Nothing here ever logs a value.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MmError } from '../errors';
import { DocumentFile } from '../store/document-file';

/** How the master key is protected at rest; Electron plugs in safeStorage here. */
export interface MasterKeyGuard {
  readonly name: string;
  seal(key: Buffer): Buffer;
  unseal(sealed: Buffer): Buffer;
}

/** The CLI/browser-host guard: the file's permissions are the protection. */
export const fileGuard: MasterKeyGuard = { name: 'key file (0600)', seal: (k) => k, unseal: (k) => k };

interface SecretsFile {
  schemaVersion: 1;
  secrets: Record<string, string>;
}

export interface SecretStore {
  readonly protection: string;
  set(name: string, value: string): Promise<void>;
  get(name: string): Promise<string | undefined>;
  delete(name: string): Promise<void>;
  /** Removes every secret whose name starts with the prefix (a removed server or project). */
  deletePrefix(prefix: string): Promise<void>;
}

export class SealedSecretStore implements SecretStore {
  #key: Buffer | undefined;
  #doc: Promise<DocumentFile<SecretsFile>> | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly guard: MasterKeyGuard = fileGuard,
  ) {}

  get protection(): string {
    return `AES-256-GCM, master key protected by ${this.guard.name}`;
  }

  async set(name: string, value: string): Promise<void> {
    const key = await this.masterKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(name));
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    const doc = await this.doc();
    await doc.update((d) => ({ ...d, secrets: { ...d.secrets, [name]: sealed } }));
  }

  async get(name: string): Promise<string | undefined> {
    const sealed = (await (await this.doc()).current()).secrets[name];
    if (sealed === undefined) return undefined;
    const raw = Buffer.from(sealed, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', await this.masterKey(), raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(name));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new MmError(
        'secret-unreadable',
        `The stored secret "${name}" cannot be decrypted (the master key changed?); enter it again.`,
        name,
      );
    }
  }

  async delete(name: string): Promise<void> {
    await this.deletePrefix(name, true);
  }

  async deletePrefix(prefix: string, exact = false): Promise<void> {
    const drop = (k: string): boolean => (exact ? k === prefix : k.startsWith(prefix));
    await (
      await this.doc()
    ).update((d) => ({
      ...d,
      secrets: Object.fromEntries(Object.entries(d.secrets).filter(([k]) => !drop(k))),
    }));
  }

  private doc(): Promise<DocumentFile<SecretsFile>> {
    this.#doc ??= DocumentFile.open<SecretsFile>(join(this.dataDir, 'secrets.json'), {
      kind: 'secrets',
      currentVersion: 1,
      migrations: {},
      empty: () => ({ schemaVersion: 1, secrets: {} }),
      check: (d) => (typeof d.secrets === 'object' && d.secrets !== null ? undefined : 'no secrets map'),
    });
    return this.#doc;
  }

  private async masterKey(): Promise<Buffer> {
    if (this.#key) return this.#key;
    const file = join(this.dataDir, 'secrets.key');
    try {
      this.#key = this.guard.unseal(await readFile(file));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const key = randomBytes(32);
      await (await this.doc()).save((await this.doc()).data); // creates the data dir
      await writeFile(file, this.guard.seal(key), { mode: 0o600, flag: 'wx' });
      await chmod(file, 0o600);
      this.#key = key;
    }
    if (this.#key.length !== 32)
      throw new MmError('secret-key-invalid', `The key file ${file} is damaged.`, file);
    return this.#key;
  }
}
