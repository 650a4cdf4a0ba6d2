/**
 * No secret at rest after a full demo migration: the demo's Debian source over a real sshd
 * (key login), the sandbox target with passwords made for this test, `mm migrate` to the end,
 * then every report, the review export and the logs written. Then the bytes of every file the
 * manager wrote — the data dir (store, journal, logs, jobs), the reports, the export (opened:
 * it is gzip) — are searched for each secret the test knows:
 *  - the target passwords, and the SSH private key's body;
 *  - the source's shadow and mailbox hashes, its htpasswd hashes, its MySQL passwords and their
 *    MYSQL41 hashes (all read from the agent, sealed in the store);
 *  - the data dir's own master key (allowed only in secrets.key itself).
 * Each secret is looked for as text, base64 and hex.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../electron/sandbox/sandbox';
import { tempDir } from '../helpers/paths';
import { PROJECT, type PreparedSource, mm, mmOk, parseMigrate, prepareSource } from '../migration/env';
import { copyDataDir, readProjectText, storedInDatabase } from '../helpers/store-under-test';

const TARGET_PASSWORDS = {
  poa: `poa-${randomBytes(9).toString('base64url')}`,
  pba: `pba-${randomBytes(9).toString('base64url')}`,
};

/** The demo layout's MySQL passwords (agents/demo/build-demo-layout.mjs). */
const MYSQL_PASSWORDS = ['Widgets-2024', 'Club-Members-9', 'read-only-7'];

function mysql41(password: string): string {
  const inner = createHash('sha1').update(password).digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}

/** Second field of each line of a passwd-style file, when it looks like a hash. */
async function hashesIn(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((l) => l.split(':')[1] ?? '')
    .filter((h) => h.length > 8 && h !== 'x');
}

/** Every file under `dir`, as [relative path, bytes]. */
async function filesUnder(dir: string): Promise<[string, Buffer][]> {
  const out: [string, Buffer][] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) {
      const path = join(e.parentPath, e.name);
      out.push([relative(dir, path), await readFile(path)]);
    }
  return out;
}

/** A secret in the forms it could be written in. */
function forms(secret: string): string[] {
  const b = Buffer.from(secret);
  return [secret, b.toString('base64'), b.toString('hex')];
}

describe('no secret at rest after a full demo migration', () => {
  let source: PreparedSource;
  let sandbox: RunningSandbox;
  let dataDir: string;
  let out: string;
  let secrets: { name: string; value: string }[];

  beforeAll(async () => {
    source = await prepareSource();
    dataDir = await tempDir('mm-security-data-');
    await copyDataDir(source.dataDir, dataDir);
    sandbox = await startSandbox({ dataDir: await tempDir('mm-security-sandbox-'), asyncMs: 20 });
    await mmOk(
      dataDir,
      ['target', 'set', '--poa-url', sandbox.poaUrl, '--poa-user', 'admin', '--poa-password-stdin'],
      `${TARGET_PASSWORDS.poa}\n`,
    );
    await mmOk(
      dataDir,
      ['target', 'set', '--pba-url', sandbox.pbaUrl, '--pba-user', 'admin', '--pba-password-stdin'],
      `${TARGET_PASSWORDS.pba}\n`,
    );
    await mmOk(dataDir, ['target', 'test']);
    const migrated = parseMigrate(await mm(dataDir, ['migrate', '--json']));
    expect(migrated.state).toBe('done');
    out = await tempDir('mm-security-out-');
    for (const [kind, format] of [
      ['verification', 'html'],
      ['verification', 'csv'],
      ['migration', 'html'],
      ['migration', 'csv'],
    ] as const)
      await mmOk(dataDir, ['report', kind, '--format', format, '--out', join(out, `${kind}.${format}`)]);
    await mmOk(dataDir, ['project', 'export', join(out, 'review.mmreview')]);

    const key = (await readFile(source.sshd.clientKeyPath, 'utf8'))
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('-----'))
      .join('');
    secrets = [
      { name: 'POA password', value: TARGET_PASSWORDS.poa },
      { name: 'PBA password', value: TARGET_PASSWORDS.pba },
      // Any 40-character run of the key's base64 body.
      ...[160, 200, 240].map((at) => ({
        name: `SSH private key (chars ${at}…)`,
        value: key.slice(at, at + 40),
      })),
      ...MYSQL_PASSWORDS.flatMap((p) => [
        { name: `MySQL password ${p}`, value: p },
        { name: `MYSQL41 hash of ${p}`, value: mysql41(p) },
      ]),
      ...(await hashesIn(join(source.root, 'etc', 'shadow'))).map((h) => ({
        name: `shadow hash ${h.slice(0, 12)}…`,
        value: h,
      })),
      ...(await hashesIn(join(source.root, 'etc', 'dovecot', 'users'))).map((h) => ({
        name: `mailbox hash ${h.slice(0, 16)}…`,
        value: h.replace(/^\{[^}]+\}/, ''),
      })),
    ];
    for (const dir of await readdir(join(source.root, 'home')))
      for (const h of await hashesIn(join(source.root, 'home', dir, '.htpasswd')))
        secrets.push({ name: `htpasswd hash of ${dir}`, value: h });
  }, 600_000);

  afterAll(async () => {
    await sandbox?.close();
    await source?.stop();
  });

  it('the secrets it looks for passed through the manager: read from the source, sealed in the store', async () => {
    expect(secrets.filter((s) => s.name.startsWith('shadow')).length).toBeGreaterThan(0);
    expect(secrets.filter((s) => s.name.startsWith('mailbox')).length).toBeGreaterThan(0);
    // The agent reported the mailbox, FTP and database password hashes; the store holds them
    // sealed (one sealed value per secret read), so a plain copy would be a leak, not an absence.
    const services = await readProjectText(
      join(dataDir, 'projects', PROJECT, 'domain-services', 'web01.json'),
    );
    const sealed = services.match(/"mm-sealed:/g)?.length ?? 0;
    console.log(`[security] ${sealed} sealed secret values in the stored domain services`);
    expect(sealed).toBeGreaterThanOrEqual(secrets.filter((s) => s.name.startsWith('mailbox')).length);
  });

  it('no store file or row, journal, log or job file holds any of them (the master key only in secrets.key)', async () => {
    // on the PostgreSQL store the documents and journals are rows: searched as well
    const files = [...(await filesUnder(dataDir)), ...(await storedInDatabase(dataDir))];
    expect(files.map(([p]) => p)).toEqual(
      expect.arrayContaining([
        join('projects', PROJECT, 'migration', 'journal.jsonl'),
        join('projects', PROJECT, 'migration-log.jsonl'),
        'secrets.json',
      ]),
    );
    const master = await readFile(join(dataDir, 'secrets.key'));
    const found: string[] = [];
    for (const [path, bytes] of files) {
      for (const s of secrets)
        for (const f of forms(s.value)) if (bytes.includes(f)) found.push(`${s.name} in ${path}`);
      if (path !== 'secrets.key')
        for (const f of [master.toString('utf8').trim(), master.toString('base64'), master.toString('hex')])
          if (f.length >= 16 && bytes.includes(f)) found.push(`the master key in ${path}`);
    }
    console.log(
      `[security] ${files.length} files of the data dir searched for ${secrets.length} secrets: ${found.length} found`,
    );
    expect(found).toEqual([]);
  });

  it('no report and not the review export (opened) holds any of them', async () => {
    const found: string[] = [];
    const files = await filesUnder(out);
    for (const [path, raw] of files) {
      const bytes = path.endsWith('.mmreview') ? gunzipSync(raw) : raw;
      for (const s of secrets)
        for (const f of forms(s.value)) if (bytes.includes(f)) found.push(`${s.name} in ${path}`);
    }
    console.log(
      `[security] ${files.length} reports and exports searched for ${secrets.length} secrets: ${found.length} found`,
    );
    expect(files.length).toBe(5);
    expect(found).toEqual([]);
  });
});
