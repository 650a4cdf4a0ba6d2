// The linux agent against a real MariaDB server: databases and users created here, found by
// the agent through the real `mysql` client and <root>/etc/mysql/debian.cnf (TCP and socket).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  runAgent,
  tempDir,
  schemaErrors,
  parseXml,
  kids,
  kid,
  attr,
  text,
  type XNode,
} from '../helpers/layouts/agent-harness';
import { buildLinuxLayout, standardLinuxLayout } from '../helpers/layouts/linux-layout';
import { startMariaDb, type MariaDb } from '../helpers/mariadb';
import { freePort } from '../helpers/sshd';

const MARKER = `/tmp/pwned-linux-mysql-${process.pid}`;
let db: MariaDb;
let root = '';
/** database → SUM(data_length + index_length) as the server reports it */
let sizes = new Map<string, string>();

/** MySQL 4.1+ PASSWORD(): '*' + upper hex SHA1(SHA1(password)). */
function mysql41(password: string): string {
  const inner = createHash('sha1').update(password).digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}

const OLD_HASH = '4a62c5ca6c5dfc3a'; // a pre-4.1 (mysql_old_password) hash, stored as given

interface ExpectedUser {
  readonly login: string;
  readonly scheme?: string;
  readonly value?: string;
}

/** database → its users as the agent should report them (sorted by login); filled in beforeAll */
const expected = new Map<string, ExpectedUser[]>();

function writeDebianCnf(dir: string, client: Record<string, string | number>): void {
  mkdirSync(join(dir, 'etc/mysql'), { recursive: true });
  const lines = Object.entries(client).map(([k, v]) => `${k} = ${v}`);
  writeFileSync(
    join(dir, 'etc/mysql/debian.cnf'),
    `# Automatically generated for Debian scripts. DO NOT TOUCH!\n[client]\n${lines.join('\n')}\n` +
      `[mysql_upgrade]\n${lines.join('\n')}\n`,
    { mode: 0o600 },
  );
}

async function domainDatabases(dir: string, domain: string, env?: NodeJS.ProcessEnv): Promise<XNode[]> {
  const r = await runAgent(
    'linux',
    [`--root=${dir}`, '--extract=domainServicesInfo', `--domain-id=${domain}`],
    {
      env,
    },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(schemaErrors(r.stdout, 'PEMDomainServices.xsd')).toBe('');
  return kids(kid(parseXml(r.stdout), 'domainServices'), 'database');
}

async function platform(dir: string, env?: NodeJS.ProcessEnv): Promise<XNode> {
  const r = await runAgent('linux', [`--root=${dir}`, '--extract=hostingPlatformInfo'], { env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(schemaErrors(r.stdout, 'HostingPlatform.xsd')).toBe('');
  return kid(parseXml(r.stdout), 'hostingPlatform') as XNode;
}

function describeDb(d: XNode): { name: string; type: string; size: string; users: ExpectedUser[] } {
  return {
    name: attr(d, 'name') ?? '',
    type: attr(d, 'type') ?? '',
    size: attr(d, 'sizeBytes') ?? '',
    users: kids(d, 'user').map((u) => {
      const pw = kid(u, 'password');
      if (!pw) return { login: attr(u, 'login') ?? '' };
      expect(attr(pw, 'crypted')).toBe('true');
      return { login: attr(u, 'login') ?? '', scheme: attr(pw, 'scheme'), value: text(pw) };
    }),
  };
}

beforeAll(async () => {
  db = await startMariaDb();
  root = tempDir('linux-mysql');
  buildLinuxLayout(root, standardLinuxLayout(MARKER));
  const pw = {
    alice: 'Alice-s3cret!',
    shop: "sh'op\\pw",
    blogRo: 'blog-reader',
    bob: 'b0b',
    dave: 'dave pass',
  };
  db.sql(
    [
      "INSTALL SONAME 'auth_ed25519';",
      // alice: two databases, a per-database user each, and herself on the pattern alice\_%
      'CREATE DATABASE alice_shop;',
      'CREATE TABLE alice_shop.products (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(8,2));',
      "INSERT INTO alice_shop.products VALUES (1, 'Tea', 3.50), (2, 'Coffee', 4.20), (3, 'Cocoa', 2.10);",
      'CREATE DATABASE alice_blog;',
      'CREATE TABLE alice_blog.posts (id INT PRIMARY KEY, title TEXT, body MEDIUMTEXT);',
      "INSERT INTO alice_blog.posts VALUES (1, 'Hello', REPEAT('x', 20000)), (2, 'Again', 'short');",
      'CREATE INDEX title_ix ON alice_blog.posts (title(20));',
      `CREATE USER 'alice'@'localhost' IDENTIFIED BY '${pw.alice}';`,
      "GRANT ALL ON `alice\\_%`.* TO 'alice'@'localhost';",
      `CREATE USER 'alice_shop'@'%' IDENTIFIED BY '${pw.shop.replace(/\\/g, '\\\\').replace(/'/g, "''")}';`,
      "GRANT SELECT, INSERT, UPDATE, DELETE ON `alice\\_shop`.* TO 'alice_shop'@'%';",
      `CREATE USER 'alice_ro'@'localhost' IDENTIFIED VIA ed25519 USING PASSWORD('${pw.blogRo}');`,
      "GRANT SELECT ON alice_blog.* TO 'alice_ro'@'localhost';",
      // a role with a grant is not a user
      'CREATE ROLE alice_editors;',
      "GRANT ALL ON `alice\\_blog`.* TO 'alice_editors';",
      // bob: a unix_socket user (no password) and a pre-4.1 hash
      'CREATE DATABASE bob_db;',
      'CREATE TABLE bob_db.t (k VARCHAR(10) PRIMARY KEY, v INT);',
      "INSERT INTO bob_db.t VALUES ('a', 1);",
      `CREATE USER 'bob'@'localhost' IDENTIFIED VIA unix_socket;`,
      "GRANT ALL ON `bob\\_db`.* TO 'bob'@'localhost';",
      `CREATE USER 'bob_legacy'@'localhost' IDENTIFIED VIA mysql_old_password USING '${OLD_HASH}';`,
      "GRANT SELECT ON `bob\\_db`.* TO 'bob_legacy'@'localhost';",
      // carol (a reseller): a database whose name needs quoting, no users
      'CREATE DATABASE `carol_my-site`;',
      'CREATE TABLE `carol_my-site`.pages (id INT PRIMARY KEY);',
      // dave: a database without tables, and a user on two hosts (listed once)
      'CREATE DATABASE dave_empty;',
      `CREATE USER 'dave'@'localhost' IDENTIFIED BY '${pw.dave}';`,
      `CREATE USER 'dave'@'127.0.0.1' IDENTIFIED BY 'other';`,
      "GRANT ALL ON dave_empty.* TO 'dave'@'localhost', 'dave'@'127.0.0.1';",
      // nobody's: no account "orphan", and "alicex" has no "alice_" prefix
      'CREATE DATABASE orphan_data;',
      'CREATE DATABASE alicex;',
      'FLUSH PRIVILEGES;',
    ].join('\n'),
  );
  // sizes as the server reports them (InnoDB pages: not computable here)
  sizes = new Map(
    db
      .sql(
        'SELECT table_schema, SUM(data_length + index_length) FROM information_schema.tables GROUP BY table_schema;',
      )
      .trim()
      .split('\n')
      .map((l) => l.split('\t') as [string, string]),
  );
  const ed = db.sql("SELECT authentication_string FROM mysql.user WHERE User = 'alice_ro';").trim();
  expect(ed).toMatch(/^[A-Za-z0-9+/]{43}$/);
  const userOf = (login: string, scheme?: string, value?: string): ExpectedUser =>
    scheme === undefined ? { login } : { login, scheme, value };
  expected.set('alice_blog', [
    userOf('alice', 'MYSQL41', mysql41(pw.alice)),
    userOf('alice_ro', 'ED25519', ed),
  ]);
  expected.set('alice_shop', [
    userOf('alice', 'MYSQL41', mysql41(pw.alice)),
    userOf('alice_shop', 'MYSQL41', mysql41(pw.shop)),
  ]);
  expected.set('bob_db', [userOf('bob'), userOf('bob_legacy', 'MYSQL', OLD_HASH)]);
  expected.set('carol_my-site', []);
  expected.set('dave_empty', [userOf('dave', 'MYSQL41', mysql41('other'))]);
  for (const name of ['alice_shop', 'alice_blog', 'bob_db', 'carol_my-site']) {
    expect(Number(sizes.get(name))).toBeGreaterThan(0);
  }
  expect(sizes.has('dave_empty')).toBe(false);
  writeDebianCnf(root, { host: '127.0.0.1', port: db.port, user: db.user, password: db.password });
});

afterAll(async () => {
  await db?.stop();
});

describe('linux agent: MySQL databases from a real MariaDB server', () => {
  it('gives the server the db role', async () => {
    const hp = await platform(root);
    expect(attr(kid(kid(hp, 'servers'), 'server'), 'roles')).toBe('web mail dns db');
  });

  it("lists each <owner>_ database once, on its owner's first domain, with users, hashes and size", async () => {
    const hp = await platform(root);
    const domains = kids(kid(hp, 'domains'), 'domain').map((d) => ({
      id: attr(d, 'id') ?? '',
      owner: attr(d, 'accountId') ?? '',
    }));
    expect(domains.length).toBeGreaterThan(5);
    const found = new Map<string, { owner: string; domain: string; db: ReturnType<typeof describeDb> }>();
    for (const d of domains) {
      for (const x of await domainDatabases(root, d.id)) {
        const info = describeDb(x);
        expect(found.has(info.name), `${info.name} listed twice`).toBe(false);
        found.set(info.name, { owner: d.owner, domain: d.id, db: info });
      }
    }
    expect([...found.keys()].sort()).toEqual([...expected.keys()].sort());
    const firstDomain = (owner: string): string =>
      domains
        .filter((d) => d.owner === owner)
        .map((d) => d.id)
        .sort((a, b) => (asciiOf(a) < asciiOf(b) ? -1 : 1))[0] ?? '';
    for (const [name, users] of expected) {
      const f = found.get(name);
      const owner = name.slice(0, name.indexOf('_'));
      expect(f?.owner, name).toBe(owner);
      expect(f?.domain, name).toBe(firstDomain(owner));
      expect(f?.db.type).toBe('mysql');
      expect(f?.db.size, name).toBe(sizes.get(name) ?? '');
      expect(f?.db.users, name).toEqual(users);
    }
    expect(found.get('alice_shop')?.domain).toBe('example.com');
    expect(found.get('bob_db')?.domain).toBe('bücher.de');
  });

  it('reaches the server through the socket named in debian.cnf too', async () => {
    const copy = tempDir('linux-mysql-sock');
    buildLinuxLayout(copy, standardLinuxLayout(MARKER));
    writeDebianCnf(copy, { host: 'localhost', socket: db.socket, user: db.user, password: db.password });
    const dbs = (await domainDatabases(copy, 'example.com')).map(describeDb);
    expect(dbs.map((d) => d.name)).toEqual(['alice_blog', 'alice_shop']);
    expect(dbs[1]?.users).toEqual(expected.get('alice_shop'));
  });

  it('skips databases silently when the server refuses, is not there, or there is no client', async () => {
    const copy = tempDir('linux-mysql-none');
    buildLinuxLayout(copy, standardLinuxLayout(MARKER));
    writeDebianCnf(copy, { host: '127.0.0.1', port: db.port, user: db.user, password: 'wrong' });
    expect(await domainDatabases(copy, 'example.com')).toEqual([]);
    expect(attr(kid(kid(await platform(copy), 'servers'), 'server'), 'roles')).toBe('web mail dns');
    writeDebianCnf(copy, { host: '127.0.0.1', port: await freePort(), user: db.user, password: db.password });
    expect(await domainDatabases(copy, 'example.com')).toEqual([]);
    // the right credentials, but PATH holds perl only: no client
    writeDebianCnf(copy, { host: '127.0.0.1', port: db.port, user: db.user, password: db.password });
    const onlyPerl = tempDir('perlonly');
    symlinkSync(execFileSync('perl', ['-e', 'print $^X'], { encoding: 'utf8' }), join(onlyPerl, 'perl'));
    expect(await domainDatabases(copy, 'example.com', { ...process.env, PATH: onlyPerl })).toEqual([]);
    expect(await domainDatabases(copy, 'example.com')).toHaveLength(2);
  });
});

function asciiOf(name: string): string {
  return new URL(`http://${name.replace(/\.$/, '')}`).hostname;
}
