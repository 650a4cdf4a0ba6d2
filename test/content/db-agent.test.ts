/**
 * The linux agent's database content against real servers: a MariaDB and a PostgreSQL seeded
 * by the test, reached through the layout's access files. The inventory and the domain's
 * services carry each database's content id; domainContent streams a tarball that the
 * manager's verifier accepts (every member's SHA-256 against the manifest) holding the dump
 * and DATABASE.json (users with hashes — never the plain password — and grants).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { parseDescription } from '../../electron/core/content/db-description';
import { TarVerifier } from '../../electron/core/content/tar-verify';
import { parseXml, kid, kids, attr, runAgent, schemaErrors, tempDir } from '../helpers/layouts/agent-harness';
import { MY_DB, PG_DB, USERS, type SourceDatabases, startSourceDatabases } from './db-env';

let src: SourceDatabases;
let root = '';

beforeAll(async () => {
  src = await startSourceDatabases(500);
  root = tempDir('db-agent-layout');
  buildDemoLayout(root);
  src.configure(root);
}, 180_000);

afterAll(async () => {
  await src?.stop();
});

/** The tarball's members (name → bytes), after the manager's verifier passed it whole. */
async function verifiedMembers(tarball: Buffer, contentId: string): Promise<Map<string, Buffer>> {
  const v = new TarVerifier(contentId);
  const input = new PassThrough();
  const chunks: Buffer[] = [];
  v.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    v.on('end', resolve);
    v.on('error', reject);
  });
  input.pipe(v);
  input.end(tarball);
  await ended;
  expect(v.result?.files).toBe(2);
  const dir = tempDir('db-agent-untar');
  execFileSync('tar', ['-xf', '-', '-C', dir], { input: Buffer.concat(chunks) });
  const out = new Map<string, Buffer>();
  for (const name of execFileSync('ls', [dir], { encoding: 'utf8' }).split('\n').filter(Boolean))
    out.set(name, execFileSync('cat', [`${dir}/${name}`]));
  return out;
}

describe('linux agent: database content', () => {
  it('lists the live databases with content ids in the inventory and the domain services', async () => {
    const inv = await runAgent('linux', [`--root=${root}`, '--extract=hostingPlatformInfo']);
    expect(inv.stderr).toBe('');
    expect(schemaErrors(inv.stdout, 'HostingPlatform.xsd')).toBe('');
    const domains = kids(kid(kid(parseXml(inv.stdout), 'hostingPlatform'), 'domains'), 'domain');
    const content = domains.flatMap((d) =>
      kids(d, 'content')
        .filter((c) => attr(c, 'kind') === 'database')
        .map((c) => `${attr(d, 'name')} ${attr(c, 'id')}`),
    );
    // acme's databases belong to acme's first domain; other_db / other_crm belong to no one.
    expect(content.sort()).toEqual([
      `acme-widgets.example mysql:${MY_DB}`,
      `acme-widgets.example postgresql:${PG_DB}`,
    ]);

    const svc = await runAgent('linux', [
      `--root=${root}`,
      '--extract=domainServicesInfo',
      '--domain-id=acme-widgets.example',
    ]);
    expect(svc.stderr).toBe('');
    expect(schemaErrors(svc.stdout, 'PEMDomainServices.xsd')).toBe('');
    const dbs = kids(kid(parseXml(svc.stdout), 'domainServices'), 'database').map((d) => [
      attr(d, 'name'),
      attr(d, 'type'),
      attr(d, 'contentId'),
    ]);
    expect(dbs).toEqual([
      [MY_DB, 'mysql', `database:mysql:${MY_DB}`],
      [PG_DB, 'postgresql', `database:postgresql:${PG_DB}`],
    ]);
  });

  it('streams a MariaDB database as a verified tarball: the dump and its users and grants', async () => {
    const id = `database:mysql:${MY_DB}`;
    const r = await runAgent('linux', [
      `--root=${root}`,
      '--extract=domainContent',
      '--domain-id=acme-widgets.example',
      `--content-id=${id}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const members = await verifiedMembers(r.stdout, id);
    expect([...members.keys()].sort()).toEqual(['DATABASE.json', 'dump.sql']);
    const dump = members.get('dump.sql')?.toString('utf8') ?? '';
    expect(dump).toContain('CREATE TABLE `orders`');
    expect(dump).toMatch(/TRIGGER orders_qty BEFORE INSERT ON orders/);
    expect(dump).not.toContain('CREATE DATABASE');
    const text = members.get('DATABASE.json')?.toString('utf8') ?? '';
    expect(text).not.toContain(USERS.mysqlRw.password);
    const d = parseDescription(text, id);
    expect(d.users.map((u) => `${u.login}@${u.host} ${u.plugin}`)).toEqual([
      'acme_ro@localhost mysql_native_password',
      'acme_shop_rw@% mysql_native_password',
    ]);
    expect(d.users.every((u) => /^\*[0-9A-F]{40}$/.test(u.hash ?? ''))).toBe(true);
    expect(d.grants.map((g) => `${g.login} ${g.table ?? '*'} ${[...g.privileges].sort().join(',')}`)).toEqual(
      ['acme_ro products SELECT', 'acme_shop_rw * CREATE,DELETE,INDEX,INSERT,SELECT,UPDATE'],
    );
  });

  it('streams a PostgreSQL database as a custom-format dump with its roles’ SCRAM hashes', async () => {
    const id = `database:postgresql:${PG_DB}`;
    const r = await runAgent('linux', [
      `--root=${root}`,
      '--extract=domainContent',
      '--domain-id=acme-widgets.example',
      `--content-id=${id}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const members = await verifiedMembers(r.stdout, id);
    expect([...members.keys()].sort()).toEqual(['DATABASE.json', 'dump.pgc']);
    expect(members.get('dump.pgc')?.subarray(0, 5).toString('latin1')).toBe('PGDMP');
    const text = members.get('DATABASE.json')?.toString('utf8') ?? '';
    expect(text).not.toContain(USERS.pgApp.password);
    const d = parseDescription(text, id);
    expect(d.owner).toBe(USERS.pgApp.login);
    expect(d.users.map((u) => [u.login, u.hash?.startsWith('SCRAM-SHA-256$')])).toEqual([
      [USERS.pgApp.login, true],
      [USERS.pgRo.login, true],
    ]);
    expect(d.grants.map((g) => `${g.login} ${[...g.privileges].sort().join(',')}`)).toEqual([
      `${USERS.pgApp.login} CONNECT,CREATE,TEMPORARY`,
      `${USERS.pgRo.login} CONNECT`,
    ]);
  });

  it('refuses a database content id the domain does not have, naming it', async () => {
    const r = await runAgent('linux', [
      `--root=${root}`,
      '--extract=domainContent',
      '--domain-id=acme-widgets.example',
      '--content-id=database:mysql:other_db',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown content id 'database:mysql:other_db'");
    expect(r.stdout.length).toBe(0);
  });
});
