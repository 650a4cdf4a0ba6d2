/**
 * The migration log never holds a secret: calls made through the core against a real POA/PBA
 * sandbox carry passwords, and the bytes of migration-log.jsonl on disk must not contain them.
 * The masking happens in MigrationLog.write itself, so no caller can forget it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type Core, createCore } from '../../electron/core/core';
import { MigrationLog } from '../../electron/core/log/migration-log';
import { EventBus } from '../../electron/core/events';
import type { PoaMember } from '../../electron/core/target/poa-client';
import { tempDir } from '../helpers/paths';
import { readProjectText } from '../helpers/store-under-test';

const PASSWORDS = ['poa-Admin&Pw1', 'pba-Admin&Pw2', 'Member-Hunter2'] as const;

/** A port on the loopback that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function member(password: string): PoaMember {
  return {
    account_id: 1001,
    auth: { login: 'loguser', password },
    person: { first_name: 'Jane', last_name: 'Doe' },
    address: { street_name: 'Hauptstr. 1', zipcode: '10115', city: 'Berlin', country: 'de', state: 'BE' },
    phone: { country_code: '49', area_code: '30', phone_num: '1234567', ext_num: '' },
    email: 'jane@example.com',
  };
}

describe('the migration log on disk', () => {
  it('holds no password after target calls through the core that carry passwords', async () => {
    const core: Core = createCore({ dataDir: await tempDir(), shell: 'test' });
    const projectId = (await core.projects.create('Log project')).id;
    // A target that refuses connections: each call fails after the core logged it with its
    // parameters, the new member's password among them.
    const url = `http://127.0.0.1:${await closedPort()}/RPC2`;
    await core.target.set(projectId, {
      poaUrl: url,
      poaUser: 'poa-admin',
      poaPassword: PASSWORDS[0],
      pbaUrl: url,
      pbaUser: 'pba-admin',
      pbaPassword: PASSWORDS[1],
    });
    const poa = await core.target.poa(projectId);
    await expect(poa.addAccountMember(member(PASSWORDS[2]))).rejects.toMatchObject({
      code: 'target-unreachable',
    });
    await core.target.test(projectId);

    const bytes = await readProjectText(join(core.projects.projectDir(projectId), 'migration-log.jsonl'));
    // The calls were logged, with their parameters (so the masking had something to mask)...
    expect(bytes).toContain('Target settings changed');
    expect(bytes).toContain('pem.addAccountMember');
    expect(bytes).toContain('loguser');
    expect(bytes).toContain('"password":"***"');
    // ...and not one password reached the disk.
    for (const pw of PASSWORDS) expect(bytes).not.toContain(pw);
  });

  it('masks the details a caller passes, and keeps one whole JSON line per entry in order', async () => {
    const file = join(await tempDir(), 'p', 'migration-log.jsonl');
    const events = new EventBus();
    const seen: string[] = [];
    events.subscribe((event, payload) => {
      if (event === 'log:line') {
        const l = payload as { level: string; message: string };
        seen.push(`${l.level} ${l.message}`);
      }
    });
    const log = new MigrationLog(file, 'p1', events);
    await Promise.all([
      log.write('info', 'first', { server: 'web01', password: 'pw-one', nested: { token: 'tok-two' } }),
      log.write('warn', 'second'),
      log.write('error', 'third', { passphrase: 'pp-three', port: 22 }),
    ]);
    const bytes = await readFile(file, 'utf8');
    expect(bytes).not.toMatch(/pw-one|tok-two|pp-three/);
    const lines = bytes.split('\n');
    expect(lines.at(-1)).toBe('');
    const entries = lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.map((e) => [e['level'], e['message'], e['projectId'], e['details']])).toEqual([
      ['info', 'first', 'p1', { server: 'web01', password: '***', nested: { token: '***' } }],
      ['warn', 'second', 'p1', undefined],
      ['error', 'third', 'p1', { passphrase: '***', port: 22 }],
    ]);
    expect('details' in entries[1]!).toBe(false);
    expect(seen).toEqual(['info first', 'warn second', 'error third']);
    expect((await log.read()).map((e) => e.message)).toEqual(['first', 'second', 'third']);
    expect((await log.read(2)).map((e) => e.message)).toEqual(['second', 'third']);
  });

  it('reads past a line cut by a crash, and a missing log is empty', async () => {
    const dir = await tempDir();
    const log = new MigrationLog(join(dir, 'migration-log.jsonl'), 'p1', new EventBus());
    expect(await log.read()).toEqual([]);
    await log.write('info', 'before');
    const { appendFile } = await import('node:fs/promises');
    await appendFile(join(dir, 'migration-log.jsonl'), '{"time":"2025-01-01","lev');
    await appendFile(join(dir, 'migration-log.jsonl'), '\n');
    await log.write('info', 'after');
    expect((await log.read()).map((e) => e.message)).toEqual(['before', 'after']);
  });
});
