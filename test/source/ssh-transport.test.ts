import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SshConnection } from '../../electron/core/agent/ssh-transport';
import type { MmError } from '../../electron/core/errors';
import { connectTo, freePort, type Sshd, startSshd } from '../helpers/sshd';
import { failure } from '../helpers/failure';
import { tempDir } from '../helpers/paths';

/** A remote command that creates `marker` once it runs, then sleeps (sshd and the test share a machine). */
function startedThenSleep(marker: string): string[] {
  return ['sh', '-c', 'touch "$1" && exec sleep 30', 'sh', marker];
}

/** Waits for a state, not for a time: until the file exists (bounded, so a hang fails the test). */
async function untilExists(file: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SSH transport against a real sshd', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(() => sshd?.stop());

  it('trusts a new host key on first use and reports its fingerprint for pinning', async () => {
    const conn = await connectTo(sshd, { hostKey: { mode: 'trust-new' } });
    expect(conn.hostKeyFingerprint).toBe(sshd.hostFingerprint);
    await conn.close();
  });

  it('refuses an unpinned key without consent, showing the fingerprint', async () => {
    await expect(connectTo(sshd, { hostKey: { mode: 'ask' } })).rejects.toMatchObject({
      code: 'host-key-unknown',
      where: sshd.hostFingerprint,
    });
  });

  it('refuses a changed host key, showing both fingerprints', async () => {
    const pinned = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const error = await connectTo(sshd, { hostKey: { mode: 'pinned', fingerprint: pinned } }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'host-key-changed' });
    expect((error as Error).message).toContain(pinned);
    expect((error as Error).message).toContain(sshd.hostFingerprint);
  });

  it('runs commands with every argument quoted: hostile values stay data', async () => {
    const conn = await connectTo(sshd);
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
    const conn = await connectTo(sshd);
    const result = await conn.exec(['sh', '-c', 'echo broken >&2; exit 7']);
    expect(result).toMatchObject({ code: 7, stderr: 'broken\n' });
    await conn.close();
  });

  it('stops a command that runs past its timeout, and one that is cancelled', async () => {
    const conn = await connectTo(sshd);
    await expect(conn.exec(['sleep', '30'], { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'command-timeout',
    });
    const controller = new AbortController();
    const started = join(await tempDir(), 'started');
    const running = conn.exec(startedThenSleep(started), { signal: controller.signal });
    await untilExists(started); // the remote command runs: cancel it there
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    await conn.close();
  });

  it('uploads and downloads files over SFTP with progress', async () => {
    const conn = await connectTo(sshd);
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
    const conn = await connectTo(sshd, { user: name, credentials: { password } });
    expect((await conn.exec(['id', '-un'])).stdout.trim()).toBe(name);
    await conn.close();
    await expect(connectTo(sshd, { user: name, credentials: { password: 'wrong' } })).rejects.toMatchObject({
      code: 'ssh-auth-failed',
    });
  });

  it('says when nothing listens on the port', async () => {
    const port = await freePort();
    await expect(connectTo(sshd, { port })).rejects.toMatchObject({ code: 'ssh-unreachable' });
  });

  it('keeps multi-byte UTF-8 whole across chunks and counts the output limit in bytes', async () => {
    const conn = await connectTo(sshd);
    // 'ä€𝄞' is 2 + 3 + 4 = 9 bytes; 25 000 of them (225 000 bytes) cross many 32 KB packets.
    const unit = '\u00e4\u20ac\u{1d11e}';
    const expected = unit.repeat(25_000);
    const result = await conn.exec(['perl', '-CS', '-e', 'print "\\x{e4}\\x{20ac}\\x{1d11e}" x 25000']);
    expect(result.code).toBe(0);
    expect(Buffer.byteLength(result.stdout, 'utf8')).toBe(225_000);
    expect(result.stdout).not.toContain('\ufffd');
    expect(result.stdout === expected).toBe(true);
    // 1 000 '€' are 1 000 characters but 3 000 bytes: over a 2 000-byte limit.
    await expect(
      conn.exec(['perl', '-CS', '-e', 'print "\\x{20ac}" x 1000'], { maxOutputBytes: 2000 }),
    ).rejects.toMatchObject({ code: 'output-too-large' });
    const fits = await conn.exec(['perl', '-CS', '-e', 'print "\\x{20ac}" x 1000'], { maxOutputBytes: 3000 });
    expect(fits.stdout).toBe('\u20ac'.repeat(1000));
    await conn.close();
  });

  it('says the connection is closed when used after close()', async () => {
    const conn = await connectTo(sshd);
    await conn.close();
    await expect(conn.exec(['true'])).rejects.toMatchObject({ code: 'ssh-connection-closed' });
  });

  it('logs in with an encrypted private key and its passphrase; a wrong or missing passphrase says so', async () => {
    const passphrase = "correct horse 'battery' $staple";
    const locked = await startSshd({ passphrase });
    try {
      expect(locked.clientKey).toMatch(/BEGIN OPENSSH PRIVATE KEY/);
      const conn = await connectTo(locked, { credentials: { privateKey: locked.clientKey, passphrase } });
      expect((await conn.exec(['echo', 'in'])).stdout).toBe('in\n');
      await conn.close();
      for (const credentials of [
        { privateKey: locked.clientKey, passphrase: 'not the passphrase' },
        { privateKey: locked.clientKey },
      ]) {
        const error = await failure(connectTo(locked, { credentials }));
        expect(error).toMatchObject({
          code: 'ssh-key-invalid',
          where: `${locked.user}@127.0.0.1:${locked.port}`,
        });
        expect(error.message).toMatch(/passphrase is wrong or missing/);
        expect(error.message).toContain(`${locked.user}@127.0.0.1:${locked.port}`);
      }
    } finally {
      await locked.stop();
    }
  });
});

describe('SSH transport when the connection dies after connecting', () => {
  let sshd: Sshd;
  let conn: SshConnection | undefined;
  // An 'error' event without a listener would throw out of ssh2's socket callback: vitest
  // reports that as an unhandled error, and this spy records it as well.
  const crashes: unknown[] = [];
  const onCrash = (e: unknown): void => {
    crashes.push(e);
  };
  beforeEach(async () => {
    crashes.length = 0;
    process.on('uncaughtException', onCrash);
    sshd = await startSshd();
  });
  afterEach(async () => {
    process.off('uncaughtException', onCrash);
    await conn?.close();
    conn = undefined;
    sshd.signalSessions('SIGKILL');
    await sshd.stop();
  });

  const where = () => `${sshd.user}@127.0.0.1:${sshd.port}`;
  const open = async (keepalive?: { intervalMs: number; countMax: number }) =>
    connectTo(sshd, keepalive ? { keepalive } : {});

  it('a killed session and a stopped sshd: the process survives, every later call names the lost connection', async () => {
    conn = await open();
    expect((await conn.exec(['echo', 'up'])).stdout).toBe('up\n');
    const started = join(sshd.dir, 'started');
    const running = failure(conn.exec(startedThenSleep(started)));
    await untilExists(started); // the session is up and running its command
    // Only this sshd's own per-connection processes, then its listener.
    expect(sshd.signalSessions('SIGKILL').length).toBeGreaterThan(0);
    await sshd.stop();
    const inFlight = await running;
    expect(inFlight).toMatchObject({ code: 'ssh-connection-lost', where: where() });
    expect(inFlight.message).toContain(where());
    for (const call of [
      () => conn!.exec(['echo', 'again']),
      () => conn!.download('/etc/hostname', join(sshd.dir, 'never')),
      () => conn!.upload(join(sshd.dir, 'sshd_config'), join(sshd.dir, 'never')),
    ]) {
      const error = await failure(call());
      expect(error).toMatchObject({ code: 'ssh-connection-lost', where: where() });
      expect(error.message).toMatch(/SSH connection to .* was lost/);
      expect(error.message).toContain(where());
    }
    expect(crashes).toEqual([]);
  });

  it('a frozen session: the keepalive timeout error is caught, and the next exec says so', async () => {
    conn = await open({ intervalMs: 100, countMax: 3 });
    expect((await conn.exec(['echo', 'up'])).stdout).toBe('up\n');
    // Freeze this sshd's session processes: nothing answers the keepalive probes, so ssh2
    // emits 'error' (level client-timeout) long after the connect settled.
    expect(sshd.signalSessions('SIGSTOP').length).toBeGreaterThan(0);
    let error: MmError | undefined;
    for (let i = 0; i < 100 && !error; i++) {
      await new Promise((r) => setTimeout(r, 50));
      error = await conn.exec(['true'], { timeoutMs: 50 }).then(
        () => undefined,
        (e: unknown) => ((e as MmError).code === 'command-timeout' ? undefined : (e as MmError)),
      );
    }
    expect(error).toMatchObject({ code: 'ssh-connection-lost', where: where() });
    expect(error?.message).toMatch(/keepalive/);
    expect(crashes).toEqual([]);
  });
});
