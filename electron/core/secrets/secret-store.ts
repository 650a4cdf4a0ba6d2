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
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MmError } from '../errors';
import { DocumentFile } from '../store/document-file';
import { gcmOpen, gcmSeal } from './gcm';

/** How the master key is protected at rest; Electron plugs in safeStorage here. */
export interface MasterKeyGuard {
  /** Written into the key file's header, so any shell knows what sealed it. */
  readonly id: string;
  readonly name: string;
  /** Whether it can protect anything on this machine right now. */
  available(): boolean;
  seal(key: Buffer): Buffer;
  unseal(sealed: Buffer): Buffer;
}

/** The CLI/browser-host guard: the file's permissions (0600) are the protection. */
export const fileGuard: MasterKeyGuard = {
  id: 'file',
  name: 'key file (0600)',
  available: () => true,
  seal: (k) => k,
  unseal: (k) => k,
};

/** secrets.key: a header naming the guard, then the sealed key. */
const KEY_HEADER = 'MMKEY1 ';

function encodeKeyFile(guard: MasterKeyGuard, key: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${KEY_HEADER}${guard.id}\n`), guard.seal(key)]);
}

function decodeKeyFile(bytes: Buffer, guards: readonly MasterKeyGuard[], file: string): Buffer {
  const text = bytes.subarray(0, 64).toString('latin1');
  if (!text.startsWith(KEY_HEADER)) return bytes; // written before headers existed: a raw key
  const end = bytes.indexOf(0x0a);
  const id = bytes.subarray(KEY_HEADER.length, end).toString('utf8');
  const guard = guards.find((g) => g.id === id);
  if (!guard || !guard.available()) {
    throw new MmError(
      'secret-key-unavailable',
      `The secrets of this data dir are sealed with "${id}", which this shell cannot open (${file}). Open it with the shell that created it, or move secrets.key and secrets.json away and enter the passwords again.`,
      file,
    );
  }
  return guard.unseal(bytes.subarray(end + 1));
}

interface SecretsFile {
  schemaVersion: 1;
  secrets: Record<string, string>;
}

export interface SecretStore {
  readonly protection: string;
  /** Seals a value to keep elsewhere (customer passwords in an inventory); `context` binds it. */
  seal(context: string, value: string): Promise<string>;
  sealer(context: string): Promise<(value: string) => string>;
  unseal(context: string, sealed: string): Promise<string>;
  set(name: string, value: string): Promise<void>;
  get(name: string): Promise<string | undefined>;
  delete(name: string): Promise<void>;
  /** Removes every secret whose name starts with the prefix (a removed server or project). */
  deletePrefix(prefix: string): Promise<void>;
}

export class SealedSecretStore implements SecretStore {
  #key: Promise<Buffer> | undefined;
  #doc: Promise<DocumentFile<SecretsFile>> | undefined;
  readonly #guards: readonly MasterKeyGuard[];

  /** `preferred`: the guard to seal a new master key with when it is available (else the key file). */
  constructor(
    private readonly dataDir: string,
    preferred: MasterKeyGuard = fileGuard,
  ) {
    this.#guards = preferred === fileGuard ? [fileGuard] : [preferred, fileGuard];
  }

  get protection(): string {
    const guard = this.#guards.find((g) => g.available()) ?? fileGuard;
    return `AES-256-GCM, master key protected by ${guard.name}`;
  }

  /** Seals a value under the master key, bound to `context` (a value sealed for one use cannot pass for another). */
  async seal(context: string, value: string): Promise<string> {
    return (await this.sealer(context))(value);
  }

  /** A synchronous sealer for many values at once (an inventory's passwords). */
  async sealer(context: string): Promise<(value: string) => string> {
    const key = await this.masterKey();
    const aad = Buffer.from(context);
    // GCM needs a unique nonce per value: 8 random bytes per sealer and a 4-byte counter, so a
    // batch of 30,000 passwords does not ask the kernel for randomness 30,000 times.
    const base = randomBytes(12);
    let counter = 0;
    return (value) => {
      if (counter === 0xffffffff) throw new Error('one sealer seals at most 2^32 values');
      const iv = Buffer.from(base);
      iv.writeUInt32BE(counter++, 8);
      return gcmSeal(key, aad, value, iv).toString('base64');
    };
  }

  async unseal(context: string, sealed: string): Promise<string> {
    const raw = Buffer.from(sealed, 'base64');
    // A missing, exposed or damaged key file says so itself; only decryption failures below mean
    // "this value does not open".
    const key = await this.masterKey();
    const plain = gcmOpen(key, context, raw);
    if (plain === undefined)
      throw new MmError(
        'secret-unreadable',
        `The stored secret "${context}" cannot be decrypted (the master key changed?); enter it again.`,
        context,
      );
    return plain.toString('utf8');
  }

  async set(name: string, value: string): Promise<void> {
    const sealed = await this.seal(name, value);
    const doc = await this.doc();
    await doc.update((d) => ({ ...d, secrets: { ...d.secrets, [name]: sealed } }));
  }

  async get(name: string): Promise<string | undefined> {
    const sealed = (await (await this.doc()).current()).secrets[name];
    return sealed === undefined ? undefined : this.unseal(name, sealed);
  }

  async delete(name: string): Promise<void> {
    await this.deletePrefix(name, true);
  }

  /** The names held under a prefix (a project's credentials, shared when the project is). */
  async names(prefix: string): Promise<string[]> {
    return Object.keys((await (await this.doc()).current()).secrets).filter((k) => k.startsWith(prefix));
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

  private masterKey(): Promise<Buffer> {
    // One pending read per store: concurrent first uses share it instead of racing to create.
    this.#key ??= this.loadOrCreateKey().catch((e: unknown) => {
      this.#key = undefined;
      throw e;
    });
    return this.#key;
  }

  private async loadOrCreateKey(): Promise<Buffer> {
    const file = join(this.dataDir, 'secrets.key');
    let key: Buffer;
    try {
      key = decodeKeyFile(await readKeyFile(file), this.#guards, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // A new key would orphan every secret sealed under the lost one: refuse, say how to recover.
      const sealed = Object.keys((await (await this.doc()).current()).secrets).length;
      if (sealed > 0) {
        const json = join(this.dataDir, 'secrets.json');
        throw new MmError(
          'secret-key-missing',
          `The key file ${file} is missing, but ${json} holds ${sealed} secrets sealed with it. Restore secrets.key from a backup of this data dir; or, to start over, move ${json} away and enter the passwords again.`,
          file,
        );
      }
      key = randomBytes(32);
      const guard = this.#guards.find((g) => g.available()) ?? fileGuard;
      await mkdir(this.dataDir, { recursive: true });
      // Written whole beside it, then linked into place: link() fails when the name exists, and
      // a store racing this one never reads a key file that is still being written.
      const pending = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(pending, encodeKeyFile(guard, key), { mode: 0o600, flag: 'wx' });
        await chmod(pending, 0o600);
        await link(pending, file);
      } catch (w) {
        // Another store or process created it first: use theirs.
        if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw w;
        key = decodeKeyFile(await readKeyFile(file), this.#guards, file);
      } finally {
        await rm(pending, { force: true });
      }
    }
    if (key.length !== 32) throw new MmError('secret-key-invalid', `The key file ${file} is damaged.`, file);
    return key;
  }
}

/**
 * Reads the key file, refusing it when others may read or write it — as OpenSSH refuses a
 * private key with loose permissions: a key others could read protects nothing, and using it
 * silently would hide that. (Windows has no mode bits; its ACLs are the profile's.)
 */
async function readKeyFile(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { mode } = await handle.stat();
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new MmError(
        'secret-key-exposed',
        `The key file ${file} is readable or writable by others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); it was not used. Restrict it with "chmod 600 ${file}" and consider the stored passwords exposed.`,
        file,
      );
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
