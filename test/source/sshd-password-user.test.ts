/**
 * Test sshds side by side (two runs on one machine, or two files of one run) each log in their
 * own password user: starting a second sshd no longer resets the first one's password. Real
 * sshds, real system users (root only: as another user password logins cannot be tested), real
 * logins through the app's SSH transport; a stopped sshd's user is gone from the system, and
 * one a killed run left behind is removed by the next sshd started.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_USER_PREFIX } from '../helpers/password-user';
import { connectTo, type Sshd, startSshd } from '../helpers/sshd';

const known = (name: string): boolean => {
  try {
    execFileSync('id', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('password users of test sshds started side by side', () => {
  let first: Sshd;
  let second: Sshd;
  beforeAll(async () => {
    [first, second] = await Promise.all([startSshd(), startSshd()]);
  });
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
  });

  const login = async (sshd: Sshd, user: string, password: string): Promise<string> => {
    const conn = await connectTo(sshd, { user, credentials: { password } });
    try {
      return (await conn.exec(['id', '-un'])).stdout.trim();
    } finally {
      await conn.close();
    }
  };

  it('gives each sshd a user of its own: both log in, after both were started', async () => {
    if (!first.passwordUser || !second.passwordUser)
      return expect.fail('password logins need root to create the test users');
    const [a, b] = [first.passwordUser, second.passwordUser];
    expect(a.name).not.toBe(b.name);
    expect(a.password).not.toBe(b.password);
    // the first sshd's password still holds although the second one was started after it
    expect(await login(first, a.name, a.password)).toBe(a.name);
    expect(await login(second, b.name, b.password)).toBe(b.name);
    // and one user's password does not open the other's account
    await expect(login(first, a.name, b.password)).rejects.toMatchObject({ code: 'ssh-auth-failed' });
  });

  it('removes an sshd’s user when it stops, leaving the other’s', async () => {
    if (!first.passwordUser || !second.passwordUser)
      return expect.fail('password logins need root to create the test users');
    const gone = first.passwordUser.name;
    expect(known(gone)).toBe(true);
    await first.stop();
    expect(known(gone)).toBe(false);
    const { name, password } = second.passwordUser;
    expect(await login(second, name, password)).toBe(name);
  });

  it('removes the user a run that died left behind when the next sshd starts', async () => {
    if (process.getuid?.() !== 0) return expect.fail('password users need root');
    // a process that has ended: its pid no longer runs
    const dead = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
    const left = `${PASSWORD_USER_PREFIX}${dead}-1`;
    execFileSync('useradd', ['-M', '-s', '/bin/sh', left], { stdio: 'ignore' });
    expect(known(left)).toBe(true);
    const third = await startSshd();
    try {
      expect(known(left)).toBe(false);
      expect(third.passwordUser?.name).toMatch(new RegExp(`^${PASSWORD_USER_PREFIX}${process.pid}-\\d+$`));
    } finally {
      await third.stop();
      if (known(left)) execFileSync('userdel', ['-f', left], { stdio: 'ignore' });
    }
  });
});
