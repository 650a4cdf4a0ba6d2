import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh } from '../../electron/core/agent/ssh-transport';
import { freePort, type Sshd, startSshd } from '../helpers/sshd';
import { tempDir } from '../helpers/paths';
import { writeFile } from 'node:fs/promises';

describe('SSH transport against a real sshd', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(() => sshd?.stop());

  const target = (over: Partial<Parameters<typeof connectSsh>[0]> = {}) => ({
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    credentials: { privateKey: sshd.clientKey },
    hostKey: { mode: 'pinned' as const, fingerprint: sshd.hostFingerprint },
    ...over,
  });

  it('trusts a new host key on first use and reports its fingerprint for pinning', async () => {
    const conn = await connectSsh(target({ hostKey: { mode: 'trust-new' } }));
    expect(conn.hostKeyFingerprint).toBe(sshd.hostFingerprint);
    await conn.close();
  });

  it('refuses an unpinned key without consent, showing the fingerprint', async () => {
    await expect(connectSsh(target({ hostKey: { mode: 'ask' } }))).rejects.toMatchObject({
      code: 'host-key-unknown',
      where: sshd.hostFingerprint,
    });
  });

  it('refuses a changed host key, showing both fingerprints', async () => {
    const pinned = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const error = await connectSsh(target({ hostKey: { mode: 'pinned', fingerprint: pinned } })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'host-key-changed' });
    expect((error as Error).message).toContain(pinned);
    expect((error as Error).message).toContain(sshd.hostFingerprint);
  });

  it('runs commands with every argument quoted: hostile values stay data', async () => {
    const conn = await connectSsh(target());
    const dir = await tempDir();
    const marker = join(dir, 'pwned');
    const hostile = [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `a'; touch ${marker}; echo '`,
      'line\nbreak',
      'ünïcödé "q"',
    ];
    const result = await conn.exec(['printf', '%s\\0', ...hostile]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(hostile);
    await expect(readFile(marker)).rejects.toThrow();
    await conn.close();
  });

  it('reports the exit code and stderr of a failing command', async () => {
    const conn = await connectSsh(target());
    const result = await conn.exec(['sh', '-c', 'echo broken >&2; exit 7']);
    expect(result).toMatchObject({ code: 7, stderr: 'broken\n' });
    await conn.close();
  });

  it('stops a command that runs past its timeout, and one that is cancelled', async () => {
    const conn = await connectSsh(target());
    await expect(conn.exec(['sleep', '30'], { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'command-timeout',
    });
    const controller = new AbortController();
    const running = conn.exec(['sleep', '30'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    await conn.close();
  });

  it('uploads and downloads files over SFTP with progress', async () => {
    const conn = await connectSsh(target());
    const dir = await tempDir();
    const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    await writeFile(join(dir, 'up.bin'), data);
    const remote = join(sshd.dir, 'remote.bin');
    const seen: number[] = [];
    await conn.upload(join(dir, 'up.bin'), remote, (d) => seen.push(d));
    await conn.download(remote, join(dir, 'down.bin'), (d) => seen.push(d));
    expect((await readFile(join(dir, 'down.bin'))).equals(data)).toBe(true);
    expect(seen.at(-1)).toBe(data.length);
    await conn.close();
  });

  it('logs in with a password, and says so clearly when the password is wrong', async () => {
    if (!sshd.passwordUser) return expect.fail('password logins need root to create the test user');
    const { name, password } = sshd.passwordUser;
    const conn = await connectSsh(target({ user: name, credentials: { password } }));
    expect((await conn.exec(['id', '-un'])).stdout.trim()).toBe(name);
    await conn.close();
    await expect(
      connectSsh(target({ user: name, credentials: { password: 'wrong' } })),
    ).rejects.toMatchObject({
      code: 'ssh-auth-failed',
    });
  });

  it('says when nothing listens on the port', async () => {
    const port = await freePort();
    await expect(connectSsh(target({ port }))).rejects.toMatchObject({ code: 'ssh-unreachable' });
  });
});
