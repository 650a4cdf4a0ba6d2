/**
 * A shared project's key (issue 15): a random AES-256 key that seals the project's credentials
 * in the database (`shared-secrets.ts`), itself kept there only sealed, once per engineer:
 * an ephemeral X25519 key agrees a secret with the engineer's public key (ECDH), HKDF-SHA256
 * turns it into a one-time AES-256-GCM key, and that seals the project key. Only the holder of
 * the matching private key (sealed in their own data dir) can open their copy; the database,
 * its backups and its administrators only ever see sealed bytes.
 *
 * Every sealed value is bound (GCM's additional data) to where it belongs: the project, the
 * key generation and the engineer, or the secret's name, so a row copied elsewhere does not
 * open there.
 */
import { diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { MmError } from '../errors';
import type { PgStore } from '../store/postgres-store';
import { type EngineerKey, type EngineerPublicKey, parsePublicKey } from './engineer-key';
import { gcmOpen, gcmSeal } from './gcm';

const HKDF_INFO = Buffer.from('migration-manager project key v1');

function wrapKey(shared: Buffer, ephemeral: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeral, recipient]), HKDF_INFO, 32));
}

function keyAad(projectId: string, keyId: string, fingerprint: string): string {
  return `mm-project-key\u0000${projectId}\u0000${keyId}\u0000${fingerprint}`;
}

/** The project key sealed for one engineer: base64 of ephemeral public key | iv | tag | sealed key. */
export function sealProjectKey(
  projectKey: Buffer,
  projectId: string,
  keyId: string,
  to: EngineerPublicKey,
): string {
  const eph = generateKeyPairSync('x25519');
  const ephRaw = Buffer.from(eph.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: to.key });
  const wrap = wrapKey(shared, ephRaw, to.raw);
  return Buffer.concat([
    ephRaw,
    gcmSeal(wrap, keyAad(projectId, keyId, to.fingerprint), projectKey),
  ]).toString('base64');
}

/** Opens this engineer's copy of the project key; undefined when it is not theirs or damaged. */
export function openProjectKey(
  sealed: string,
  projectId: string,
  keyId: string,
  me: EngineerKey,
): Buffer | undefined {
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length < 32 + 28 + 32) return undefined;
  const ephRaw = raw.subarray(0, 32);
  let shared: Buffer;
  try {
    const ephKey = parsePublicKey(`mm-x25519:${ephRaw.toString('base64url')}`).key;
    shared = diffieHellman({ privateKey: me.privateKey, publicKey: ephKey });
  } catch {
    return undefined;
  }
  const wrap = wrapKey(shared, ephRaw, me.publicKey.raw);
  const key = gcmOpen(wrap, keyAad(projectId, keyId, me.publicKey.fingerprint), raw.subarray(32));
  return key?.length === 32 ? key : undefined;
}

function secretAad(projectId: string, name: string): string {
  return `mm-secret\u0000${projectId}\u0000${name}`;
}

export function sealSecret(projectKey: Buffer, projectId: string, name: string, value: string): string {
  return gcmSeal(projectKey, secretAad(projectId, name), Buffer.from(value, 'utf8')).toString('base64');
}

export function openSecret(projectKey: Buffer, projectId: string, name: string, sealed: string): string {
  const plain = gcmOpen(projectKey, secretAad(projectId, name), Buffer.from(sealed, 'base64'));
  if (plain === undefined)
    throw new MmError(
      'secret-unreadable',
      `The shared secret "${name}" of project ${projectId} does not open with the project key (damaged, or sealed under another key); enter it again.`,
      name,
    );
  return plain.toString('utf8');
}

/** One engineer holding a sealed copy of a project's key. */
export interface ProjectEngineer {
  readonly fingerprint: string;
  readonly name: string;
  readonly publicKey: string;
  readonly addedBy: string;
  readonly addedAt: string;
}

export interface OpenedProjectKey {
  readonly key: Buffer;
  readonly keyId: string;
}

/** Serialises changes to one project's keys (grant, rotate, the first key) across processes. */
async function lockProject(client: pg.PoolClient, projectId: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('mm_project_keys'), hashtext($1))`, [projectId]);
}

/**
 * The project key as this data dir sees it in one shared project. `project` is how the
 * engineer names it in commands (the data dir's project id), for the messages.
 */
export class ProjectKeys {
  constructor(
    private readonly store: PgStore,
    private readonly projectId: string,
    private readonly me: EngineerKey,
    private readonly writer: string,
  ) {}

  /** Whether the project has a key at all (a project shared before keys existed has none). */
  async exists(client?: pg.PoolClient): Promise<boolean> {
    const q = 'SELECT 1 FROM mm_project_keys WHERE project_id = $1 LIMIT 1';
    const { rows } = client
      ? await client.query(q, [this.projectId])
      : await this.store.query(q, [this.projectId]);
    return rows.length > 0;
  }

  /** This engineer's copy opened; a clear refusal naming what to do when there is none. */
  async open(client?: pg.PoolClient): Promise<OpenedProjectKey> {
    const q = `SELECT key_id, sealed_key FROM mm_project_keys WHERE project_id = $1 AND engineer_fingerprint = $2`;
    const values = [this.projectId, this.me.publicKey.fingerprint];
    const { rows } = client
      ? await client.query<{ key_id: string; sealed_key: string }>(q, values)
      : await this.store.query<{ key_id: string; sealed_key: string }>(q, values);
    const row = rows[0];
    if (!row) throw this.notGranted();
    const key = openProjectKey(row.sealed_key, this.projectId, row.key_id, this.me);
    if (!key)
      throw new MmError(
        'project-key-unreadable',
        `The copy of project ${this.projectId}'s key sealed for this data dir (engineer ${this.me.publicKey.fingerprint}) does not open. Ask an engineer who has the key to grant it again: mm project grant ${this.projectId} --engineer ${this.me.publicKey.text}`,
        this.projectId,
      );
    return { key, keyId: row.key_id };
  }

  notGranted(): MmError {
    return new MmError(
      'project-key-not-granted',
      `This data dir (engineer ${this.me.publicKey.fingerprint}) has not been given the key of shared project ${this.projectId}, so it cannot read or change the project's credentials. Ask an engineer who has it to run: mm project grant ${this.projectId} --engineer ${this.me.publicKey.text} --name <your name>`,
      this.projectId,
    );
  }

  /**
   * The key, made now with this engineer as its first holder when the project has none yet
   * (the creator of a shared project, or the first to share credentials of an older one).
   */
  async openOrCreate(client: pg.PoolClient): Promise<OpenedProjectKey> {
    await lockProject(client, this.projectId);
    if (await this.exists(client)) return this.open(client);
    const key = randomBytes(32);
    const keyId = randomBytes(8).toString('hex');
    await client.query(
      `INSERT INTO mm_project_keys (project_id, engineer_fingerprint, name, public_key, key_id, sealed_key, added_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        this.projectId,
        this.me.publicKey.fingerprint,
        this.writer.replace(/:\d+$/, ''),
        this.me.publicKey.text,
        keyId,
        sealProjectKey(key, this.projectId, keyId, this.me.publicKey),
        this.writer,
      ],
    );
    return { key, keyId };
  }

  /** Seals the project key for another engineer (only one who has it can). */
  async grant(publicKeyText: string, name: string): Promise<ProjectEngineer> {
    const to = parsePublicKey(publicKeyText);
    const label = name.trim() === '' ? `engineer ${to.fingerprint}` : name.trim();
    return this.store.tx(async (client) => {
      await lockProject(client, this.projectId);
      const { key, keyId } = await this.open(client);
      await client.query(
        `INSERT INTO mm_project_keys (project_id, engineer_fingerprint, name, public_key, key_id, sealed_key, added_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (project_id, engineer_fingerprint) DO UPDATE
           SET name = EXCLUDED.name, key_id = EXCLUDED.key_id, sealed_key = EXCLUDED.sealed_key,
               added_by = EXCLUDED.added_by, added_at = now()`,
        [
          this.projectId,
          to.fingerprint,
          label,
          to.text,
          keyId,
          sealProjectKey(key, this.projectId, keyId, to),
          this.writer,
        ],
      );
      return {
        fingerprint: to.fingerprint,
        name: label,
        publicKey: to.text,
        addedBy: this.writer,
        addedAt: new Date().toISOString(),
      };
    });
  }

  /** Removes an engineer's sealed copy (by public key or fingerprint); refuses to remove the last one. */
  async revoke(who: string): Promise<ProjectEngineer> {
    const fingerprint = who.trim().startsWith('mm-x25519:') ? parsePublicKey(who).fingerprint : who.trim();
    return this.store.tx(async (client) => {
      await lockProject(client, this.projectId);
      const all = await this.engineers(client);
      const gone = all.find((e) => e.fingerprint === fingerprint);
      if (!gone)
        throw new MmError(
          'invalid-input',
          `--engineer: project ${this.projectId} has no engineer ${fingerprint} (it has: ${all.map((e) => `${e.fingerprint} ${e.name}`).join(', ') || 'none'}).`,
          '--engineer',
        );
      if (all.length === 1)
        throw new MmError(
          'invalid-state',
          `${gone.name} (${fingerprint}) is the last engineer holding project ${this.projectId}'s key; revoking it would leave the project's credentials sealed for no one. Grant another engineer first.`,
          '--engineer',
        );
      await client.query('DELETE FROM mm_project_keys WHERE project_id = $1 AND engineer_fingerprint = $2', [
        this.projectId,
        fingerprint,
      ]);
      return gone;
    });
  }

  async engineers(client?: pg.PoolClient): Promise<ProjectEngineer[]> {
    const q = `SELECT engineer_fingerprint, name, public_key, added_by, added_at FROM mm_project_keys
               WHERE project_id = $1 ORDER BY added_at, engineer_fingerprint`;
    type Row = {
      engineer_fingerprint: string;
      name: string;
      public_key: string;
      added_by: string;
      added_at: Date;
    };
    const { rows } = client
      ? await client.query<Row>(q, [this.projectId])
      : await this.store.query<Row>(q, [this.projectId]);
    return rows.map((r) => ({
      fingerprint: r.engineer_fingerprint,
      name: r.name,
      publicKey: r.public_key,
      addedBy: r.added_by,
      addedAt: r.added_at.toISOString(),
    }));
  }

  /**
   * A new project key: every shared secret opened with the old one and sealed with the new,
   * every remaining engineer given a copy of the new, all in one transaction. After a revoke,
   * this is what makes a key the revoked engineer may have kept open nothing any more.
   */
  async rotate(): Promise<{ keyId: string; secrets: number; engineers: number }> {
    return this.store.tx(async (client) => {
      await lockProject(client, this.projectId);
      const old = await this.open(client);
      const { rows } = await client.query<{ name: string; key_id: string; sealed: string }>(
        'SELECT name, key_id, sealed FROM mm_secrets WHERE project_id = $1',
        [this.projectId],
      );
      const key = randomBytes(32);
      const keyId = randomBytes(8).toString('hex');
      for (const r of rows) {
        const value = openSecret(old.key, this.projectId, r.name, r.sealed);
        await client.query(
          `UPDATE mm_secrets SET key_id = $3, sealed = $4, updated_at = now(), updated_by = $5
           WHERE project_id = $1 AND name = $2`,
          [this.projectId, r.name, keyId, sealSecret(key, this.projectId, r.name, value), this.writer],
        );
      }
      const engineers = await this.engineers(client);
      for (const e of engineers) {
        const to = parsePublicKey(e.publicKey, 'mm_project_keys.public_key');
        await client.query(
          `UPDATE mm_project_keys SET key_id = $3, sealed_key = $4
           WHERE project_id = $1 AND engineer_fingerprint = $2`,
          [this.projectId, e.fingerprint, keyId, sealProjectKey(key, this.projectId, keyId, to)],
        );
      }
      return { keyId, secrets: rows.length, engineers: engineers.length };
    });
  }
}
