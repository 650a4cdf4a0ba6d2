/**
 * `mm target node add|list|test|remove` as processes against a real sshd: the host key pinned on
 * first use and checked afterwards (a changed key refused before anything is sent), the key
 * sealed (never in the project's files), bad input named, removal forgetting the secrets.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths';
import { type Sshd, startSshd } from '../helpers/sshd';
import { mm, mmOk } from '../migration/env';
import { storedInDatabase } from '../helpers/store-under-test';

let sshd: Sshd;
let other: Sshd;
let dataDir: string;

beforeAll(async () => {
  [sshd, other] = await Promise.all([startSshd(), startSshd()]);
  dataDir = await tempDir('mm-nodes-cli-');
  await mmOk(dataDir, ['project', 'create', 'nodes']);
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  await other?.stop();
});

const add = (role: string, s: Sshd, root: string, extra: string[] = []): string[] => [
  'target',
  'node',
  'add',
  role,
  '--host',
  '127.0.0.1',
  '--port',
  String(s.port),
  '--user',
  s.user,
  '--key',
  s.clientKeyPath,
  '--root',
  root,
  ...extra,
];

/** Everything the data dir's projects hold: their files, and their rows on the PostgreSQL store. */
async function projectFiles(dataDir: string): Promise<string> {
  let text = '';
  for (const e of await readdir(join(dataDir, 'projects'), { withFileTypes: true, recursive: true })) {
    if (e.isFile()) text += await readFile(join(e.parentPath, e.name), 'utf8');
  }
  for (const [, bytes] of await storedInDatabase(dataDir)) text += bytes.toString('utf8');
  return text;
}

describe('mm target node', () => {
  it('adds a web node, pins its host key on first use, lists and tests it; the key is sealed', async () => {
    const root = join(await tempDir('mm-node-root-'), 'vhosts');
    const added = await mmOk(dataDir, add('web', sshd, root, ['--trust-new-host-key']));
    expect(added.stdout).toContain(`Pinned host key ${sshd.hostFingerprint}`);
    const listed = JSON.parse((await mmOk(dataDir, ['target', 'node', 'list', '--json'])).stdout) as Record<
      string,
      unknown
    >[];
    expect(listed).toEqual([
      expect.objectContaining({
        role: 'web',
        via: 'ssh',
        host: '127.0.0.1',
        port: sshd.port,
        root,
        hostKeyFingerprint: sshd.hostFingerprint,
        hasKey: true,
      }),
    ]);
    const tested = await mmOk(dataDir, ['target', 'node', 'test', 'web']);
    expect(tested.stdout).toMatch(/web node ok: .* writable, host key SHA256:/);
    // The private key is in the sealed store only, never in a project file.
    const keyBody = (await readFile(sshd.clientKeyPath, 'utf8')).split('\n')[1] ?? '';
    expect(keyBody.length).toBeGreaterThan(20);
    expect(await projectFiles(dataDir)).not.toContain(keyBody);
    expect(await readFile(join(dataDir, 'secrets.json'), 'utf8')).not.toContain(keyBody);
  });

  it('refuses a node whose host key changed, before sending anything', async () => {
    // Another sshd on the pinned node's port is what an intercepted connection looks like.
    const root = join(await tempDir('mm-node-root-'), 'mail');
    await mmOk(dataDir, add('mail', sshd, root, ['--host-key', other.hostFingerprint]));
    const r = await mm(dataDir, ['target', 'node', 'test', 'mail']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has CHANGED');
    expect(r.stderr).toContain(sshd.hostFingerprint);
  });

  it('names bad input: an unknown role, a relative root, no credentials', async () => {
    const role = await mm(dataDir, add('ftp', sshd, '/srv/x'));
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('"ftp" is not a node role: use web, mail or db.');
    const relative = await mm(dataDir, add('web', sshd, 'srv/vhosts'));
    expect(relative.code).toBe(2);
    expect(relative.stderr).toContain('must be an absolute path');
    const none = await mm(dataDir, [
      'target',
      'node',
      'add',
      'web',
      '--host',
      'h',
      '--user',
      'u',
      '--root',
      '/x',
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--password-stdin or --key');
  });

  it('removes a node and forgets its secrets', async () => {
    await mmOk(dataDir, ['target', 'node', 'remove', 'web']);
    const listed = JSON.parse((await mmOk(dataDir, ['target', 'node', 'list', '--json'])).stdout) as {
      role: string;
    }[];
    expect(listed.map((n) => n.role)).toEqual(['mail']);
    const again = await mm(dataDir, ['target', 'node', 'remove', 'web']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no web node registered');
  });
});
