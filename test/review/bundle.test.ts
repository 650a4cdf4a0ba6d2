import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../shared/model/inventory';
import { type Core, createCore } from '../../electron/core/core';
import { ensureDemoProject } from '../../electron/core/demo';
import { tempDir } from '../helpers/paths';
import {
  CARD_CONTEXT,
  PASSWORD_CONTEXT,
  unsealInventoryValue,
} from '../../electron/core/inventory/seal-inventory';
import { runMm } from '../helpers/processes';
import { readProjectText } from '../helpers/store-under-test';

const SERVER_PASSWORD = 'Srv-Pa55&word';
const KEY_MATERIAL = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW';
const PRIVATE_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${KEY_MATERIAL}\n-----END OPENSSH PRIVATE KEY-----\n`;
const PASSPHRASE = 'key-Passphrase-42';
const TARGET_USER = 'poa-admin-user';
const TARGET_PASSWORD = 'Target&Secret-9';

/** Every password, hash and card number the inventories hold (unsealed): none may leave in a bundle. */
async function customerSecrets(core: Core, inv: Inventory): Promise<string[]> {
  const sealed: [string, string][] = [];
  for (const a of inv.accounts) {
    if (a.ccpLogin?.password?.value) sealed.push([PASSWORD_CONTEXT, a.ccpLogin.password.value]);
    for (const t of a.paymentTools) if (t.encryptedNumber) sealed.push([CARD_CONTEXT, t.encryptedNumber]);
  }
  for (const s of inv.subscriptions)
    if (s.registrarLogin?.password?.value) sealed.push([PASSWORD_CONTEXT, s.registrarLogin.password.value]);
  const plain = await Promise.all(
    sealed.map(([context, v]) => unsealInventoryValue(core.secrets, context, v)),
  );
  return [...plain, ...sealed.map(([, v]) => v)].filter((s) => s.length >= 6);
}

describe('review bundles', () => {
  let core: Core;
  let projectId: string;
  let secrets: string[];
  let bundle: Buffer;

  beforeAll(async () => {
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
    await ensureDemoProject(core);
    projectId = 'demo-migration';
    await core.servers.add(projectId, {
      name: 'with-password',
      kind: 'hsphere',
      connection: { type: 'ssh', host: '192.0.2.7', user: 'root' },
      credentials: { password: SERVER_PASSWORD },
    });
    await core.servers.add(projectId, {
      name: 'with-key',
      kind: 'ensim',
      connection: { type: 'ssh', host: '192.0.2.8', user: 'admin' },
      credentials: { privateKey: PRIVATE_KEY, passphrase: PASSPHRASE },
    });
    await core.target.set(projectId, {
      poaUrl: 'https://poa.example.net:8440/RPC2',
      poaUser: TARGET_USER,
      poaPassword: TARGET_PASSWORD,
      pbaUrl: 'https://pba.example.net:5224/RPC2',
      pbaUser: TARGET_USER,
      pbaPassword: TARGET_PASSWORD,
    });
    await core.review.comment(projectId, { kind: 'project', id: projectId }, 'Engineer note before export');
    secrets = [];
    for (const s of await core.servers.list(projectId)) {
      const inv = await core.inventory.load(projectId, s.id);
      if (inv) secrets.push(...(await customerSecrets(core, inv)));
    }
    bundle = (await core.review.exportBundle(projectId)).bytes;
  });

  it('the demo inventories do hold customer secrets (so the next test means something)', () => {
    expect(secrets.length).toBeGreaterThan(10);
    expect(secrets).toContain('coffee&cake');
  });

  it('keeps them sealed in the inventory files: no customer secret in plain text on disk', async () => {
    const dir = join(core.projects.projectDir(projectId), 'inventory');
    for (const file of ['demo-sphera-server.json', 'demo-linux-server.json']) {
      const text = await readProjectText(join(dir, file));
      for (const s of ['coffee&cake', 'R3seller!', 'Reg&Pass', 'ENC(4111111111111111)'])
        expect(text).not.toContain(s);
      expect(text).toContain('mm-sealed:');
    }
    // What verification needs of a sealed password stays beside it.
    expect(await readProjectText(join(dir, 'demo-sphera-server.json'))).toContain('"hasAmpersand":true');
  });

  it('holds no secret: passwords, key material, passphrases, target credentials, customer passwords and hashes', () => {
    const text = gunzipSync(bundle).toString('utf8');
    for (const s of [SERVER_PASSWORD, KEY_MATERIAL, PASSPHRASE, TARGET_USER, TARGET_PASSWORD, ...secrets]) {
      expect(text.includes(s), `bundle contains ${s}`).toBe(false);
      expect(text.includes(JSON.stringify(s).slice(1, -1)), `bundle contains escaped ${s}`).toBe(false);
    }
    expect(text).toContain('kiez-cafe.test');
    expect(text).toContain('"inventory/demo-sphera-server.json"');
  });

  it('opens read-only in a fresh data dir, where no source or target can be reached', async () => {
    const reviewer = createCore({ dataDir: await tempDir(), shell: 'test' });
    const opened = await reviewer.review.openBundle(bundle, 'demo.mmreview');
    expect(opened).toMatchObject({
      name: 'Demo migration (review)',
      review: { exportedFrom: 'Demo migration' },
    });
    const rows = await reviewer.inventory.rows(opened.id, 'domains');
    expect(rows.rows.length).toBe((await core.inventory.rows(projectId, 'domains')).rows.length);
    await expect(reviewer.inventory.fetch(opened.id, 'demo-linux-server')).rejects.toMatchObject({
      code: 'read-only-review',
    });
    await expect(reviewer.target.test(opened.id)).resolves.toMatchObject({ poa: { ok: false } });
    await expect(
      reviewer.servers.updateSettings(opened.id, 'demo-linux-server', { protectiveDays: 1 }),
    ).rejects.toMatchObject({
      code: 'read-only-review',
    });
    await expect(reviewer.projects.update(opened.id, (p) => p)).rejects.toMatchObject({
      code: 'read-only-review',
    });

    // The reviewer comments; the comments travel back and are merged once.
    await reviewer.review.comment(
      opened.id,
      { kind: 'domain', id: 'acme-widgets.test', serverId: 'demo-sphera-server' },
      'Hosted twice: keep the Linux copy?',
      'reviewer',
    );
    const backExport = await reviewer.review.exportBundle(opened.id, 'reviewer');
    const back = backExport.bytes;
    // A copy of a copy is named after the original, not "…-review-review-…".
    expect(backExport.fileName).toMatch(/^demo-migration-review-[\d-]+\.mmreview$/);
    const third = createCore({ dataDir: await tempDir(), shell: 'test' });
    await expect(third.review.openBundle(back, backExport.fileName)).resolves.toMatchObject({
      name: 'Demo migration (review)',
    });
    expect(await core.review.mergeComments(projectId, back, 'back.mmreview')).toEqual({ added: 1, total: 2 });
    expect(await core.review.mergeComments(projectId, back, 'back.mmreview')).toEqual({ added: 0, total: 2 });
    const merged = await core.review.comments.list(projectId, {
      kind: 'domain',
      id: 'acme-widgets.test',
      serverId: 'demo-sphera-server',
    });
    expect(merged.map((c) => [c.author, c.text])).toEqual([
      ['reviewer', 'Hosted twice: keep the Linux copy?'],
    ]);
  });

  it('refuses a file that is not a bundle, and one with unsafe paths', async () => {
    const reviewer = createCore({ dataDir: await tempDir(), shell: 'test' });
    await expect(reviewer.review.openBundle(Buffer.from('not a bundle'), 'x.mmreview')).rejects.toMatchObject(
      { code: 'bundle-invalid' },
    );
    const { gzipSync } = await import('node:zlib');
    const evil = gzipSync(
      JSON.stringify({
        format: 'migration-manager-review-bundle',
        formatVersion: 1,
        exportedAt: '2026-01-01T00:00:00.000Z',
        exportedBy: 'someone',
        project: { id: 'x', name: 'x' },
        files: { '../../escape.json': { json: {} } },
      }),
    );
    await expect(reviewer.review.openBundle(evil, 'evil.mmreview')).rejects.toThrow(/unsafe name/);
  });

  it('round-trips through the CLI: export, open elsewhere, comment, export back, merge', async () => {
    const dir = await tempDir();
    const file = join(dir, 'demo.mmreview');
    const exported = await runMm([
      'project',
      'export',
      file,
      '--project',
      'demo-migration',
      '--data-dir',
      core.info.dataDir,
    ]);
    expect(exported.code).toBe(0);
    const reviewDir = await tempDir();
    const opened = await runMm(['project', 'open', file, '--data-dir', reviewDir, '--json']);
    expect(opened.code).toBe(0);
    const id = (JSON.parse(opened.stdout) as { id: string }).id;
    const refused = await runMm([
      'server',
      'settings',
      'demo-linux-server',
      '--protective-days',
      '3',
      '--project',
      id,
      '--data-dir',
      reviewDir,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/review copy/);
    expect(
      (
        await runMm([
          'review',
          'comment',
          'account',
          'C11',
          'Balance is negative',
          '--server',
          'demo-sphera-server',
          '--project',
          id,
          '--data-dir',
          reviewDir,
        ])
      ).code,
    ).toBe(0);
    const back = join(dir, 'back.mmreview');
    expect((await runMm(['project', 'export', back, '--project', id, '--data-dir', reviewDir])).code).toBe(0);
    const merged = await runMm([
      'project',
      'merge-comments',
      back,
      '--project',
      'demo-migration',
      '--data-dir',
      core.info.dataDir,
      '--json',
    ]);
    expect(JSON.parse(merged.stdout)).toMatchObject({ added: 1 });
    await writeFile(join(dir, 'check'), await readFile(back));
  }, 180_000);
});
