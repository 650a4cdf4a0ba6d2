// The full domain services model: the real linux agent on a test layout (with a real MariaDB
// for its databases), fetched by the manager through the local transport and over a real sshd,
// parsed into DomainServices with sealed passwords, stored per server, fetched only when missing.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DomainServices, MailboxModel } from '../../shared/model/domain-services';
import { type Password, SEALED_PREFIX } from '../../shared/model/inventory';
import { type Core, createCore } from '../../electron/core/core';
import { DEMO_SERVER_NAME, DEMO_SPHERA_NAME, ensureDemoProject } from '../../electron/core/demo';
import { PASSWORD_CONTEXT, unsealInventoryValue } from '../../electron/core/inventory/seal-inventory';
import type { OpenedServer } from '../../electron/core/servers/server-service';
import { objectKey } from '../../electron/core/verification/input';
import { AGENTS_DIR } from '../../electron/core/paths';
import { DEMO } from '../helpers/demo-project';
import { failure } from '../helpers/failure';
import { buildLinuxLayout, standardLinuxLayout } from '../helpers/layouts/linux-layout';
import { startMariaDb, type MariaDb } from '../helpers/mariadb';
import { tempDir } from '../helpers/paths';
import { runMm } from '../helpers/processes';
import { type Sshd, sshdSource, startSshd } from '../helpers/sshd';
import { readProjectText } from '../helpers/store-under-test';
import { fileStoreOnly } from '../helpers/file-store-only';

const MARKER = `/tmp/pwned-domain-services-${process.pid}`;
const layout = standardLinuxLayout(MARKER);
const SHOP_PASSWORD = "Sh0p&'pw";

/** MySQL 4.1+ PASSWORD(): '*' + upper hex SHA1(SHA1(password)). */
function mysql41(password: string): string {
  const inner = createHash('sha1').update(password).digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}

let db: MariaDb;
let root: string;
let dataDir: string;
let core: Core;
let projectId: string;
let serverId: string;

/** Every agent run the manager makes, counted on the opened server's own agent. */
const runs: string[][] = [];
function countAgentRuns(c: Core): void {
  const open = c.servers.open.bind(c.servers);
  vi.spyOn(c.servers, 'open').mockImplementation(async (...args): Promise<OpenedServer> => {
    const opened = await open(...args);
    const run = opened.agent.run.bind(opened.agent);
    opened.agent.run = (argv, ...rest) => {
      runs.push([...argv]);
      return run(argv, ...rest);
    };
    return opened;
  });
}
const servicesRuns = (): string[] =>
  runs
    .filter((a) => a.includes('--extract=domainServicesInfo'))
    .map((a) => a.find((x) => x.startsWith('--domain-id='))?.slice('--domain-id='.length) ?? '');

async function unseal(p: Password | undefined): Promise<string | undefined> {
  if (!p) return undefined;
  expect(p.value.startsWith(SEALED_PREFIX), 'a stored password is sealed').toBe(true);
  return unsealInventoryValue(core.secrets, PASSWORD_CONTEXT, p.value);
}

const servicesFile = (): string =>
  join(core.projects.projectDir(projectId), 'domain-services', `${serverId}.json`);
const factsFile = (): string => join(core.projects.projectDir(projectId), 'domain-services.json');

beforeAll(async () => {
  db = await startMariaDb();
  root = await tempDir('mm-ds-layout-');
  buildLinuxLayout(root, layout);
  db.sql(
    [
      'CREATE DATABASE alice_shop;',
      'CREATE TABLE alice_shop.products (id INT PRIMARY KEY, name VARCHAR(40));',
      "INSERT INTO alice_shop.products VALUES (1, 'Tea'), (2, 'Coffee');",
      `CREATE USER 'alice_shop'@'localhost' IDENTIFIED BY '${SHOP_PASSWORD.replace(/'/g, "''")}';`,
      "GRANT ALL ON `alice\\_shop`.* TO 'alice_shop'@'localhost';",
      'FLUSH PRIVILEGES;',
    ].join('\n'),
  );
  mkdirSync(join(root, 'etc/mysql'), { recursive: true });
  writeFileSync(
    join(root, 'etc/mysql/debian.cnf'),
    `[client]\nhost = 127.0.0.1\nport = ${db.port}\nuser = ${db.user}\npassword = ${db.password}\n`,
    { mode: 0o600 },
  );
  dataDir = await tempDir('mm-ds-data-');
  core = createCore({ dataDir, shell: 'test' });
  countAgentRuns(core);
  projectId = (await core.projects.create('Services')).id;
  serverId = (
    await core.servers.add(projectId, { name: 'web01', kind: 'linux', connection: { type: 'local', root } })
  ).id;
}, 120_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await db?.stop();
});

describe('domain services: the full model from the real linux agent', () => {
  let all: ReadonlyMap<string, DomainServices>;
  const of = (id: string): DomainServices => {
    const s = all.get(objectKey(serverId, id));
    if (!s) throw new Error(`no services for ${id}`);
    return s;
  };

  beforeAll(async () => {
    const r = await core.domainServices.ensureFetched(projectId, 'web01', [
      'example.com',
      'xn--bcher-kva.de',
      'mail-only.test',
    ]);
    expect(r.fetched).toEqual(['example.com', 'xn--bcher-kva.de', 'mail-only.test']);
    all = await core.domainServices.services(projectId);
  }, 120_000);

  it('keys every domain as facts are keyed, and names it', () => {
    expect([...all.keys()].sort()).toEqual(
      ['example.com', 'mail-only.test', 'xn--bcher-kva.de'].map((d) => objectKey(serverId, d)).sort(),
    );
    expect([of('example.com').domainId, of('example.com').domainName]).toEqual([
      'example.com',
      'example.com',
    ]);
    expect(of('xn--bcher-kva.de').domainName).toBe('bücher.de');
  });

  it('DNS: the zone with every record typed (numbers as numbers)', () => {
    const zone = of('example.com').dnsZone;
    expect(zone).toMatchObject({ name: 'example.com.', master: true });
    expect(zone?.records).toEqual([
      { host: '@', type: 'NS', ttl: 3600, data: 'ns1.example.com.' },
      { host: '@', type: 'NS', ttl: 3600, data: 'ns2.example.net.' },
      { host: '@', type: 'A', ttl: 3600, data: '192.0.2.10' },
      { host: '@', type: 'AAAA', ttl: 3600, data: '2001:db8::10' },
      { host: '@', type: 'MX', ttl: 3600, priority: 10, data: 'mail.example.com.' },
      { host: '@', type: 'MX', ttl: 3600, priority: 20, data: 'mx2.backup.test.' },
      { host: '@', type: 'TXT', ttl: 3600, data: 'v=spf1 a mx -all' },
      { host: 'www', type: 'CNAME', ttl: 3600, data: 'example.com.' },
      { host: 'mail', type: 'A', ttl: 3600, data: '192.0.2.11' },
      { host: 'FTP', type: 'A', ttl: 600, data: '192.0.2.12' },
      { host: '*', type: 'A', ttl: 3600, data: '192.0.2.99' },
      {
        host: '_sip._tcp',
        type: 'SRV',
        ttl: 3600,
        priority: 10,
        weight: 5,
        port: 5060,
        data: 'sip.example.com.',
      },
      { host: 'sip', type: 'A', ttl: 3600, data: '192.0.2.13' },
      { host: 'note', type: 'TXT', ttl: 3600, data: 'semi;colon insideand more' },
      { host: '@', type: 'CAA', ttl: 3600, data: '0 issue "letsencrypt.org"' },
      { host: 'blog', type: 'CNAME', ttl: 3600, data: 'example.com.' },
    ]);
    expect(of('xn--bcher-kva.de').dnsZone?.records.map((r) => [r.host, r.type, r.data])).toEqual([
      ['@', 'NS', 'ns1.example.com.'],
      ['@', 'A', '192.0.2.30'],
      ['www', 'A', '192.0.2.30'],
      ['@', 'MX', 'mail.example.com.'],
    ]);
  });

  it('web hosting: site, aliases, subdomain, SSL presence (never the key), PHP', () => {
    const site = layout.sites[0]!;
    const blog = layout.sites[1]!;
    expect(of('example.com').webHosting).toEqual({
      hostname: site.serverName,
      docRoot: site.docRoot,
      ip: site.ip,
      enabled: true,
      contentId: `site:${site.serverName}`,
      aliases: site.aliases,
      subdomains: [
        {
          name: 'blog',
          hostname: blog.serverName,
          docRoot: blog.docRoot,
          contentId: `site:${blog.serverName}`,
          aliases: [],
        },
      ],
      ssl: { hasCertificate: true, hasPrivateKey: true },
      php: true,
    });
    const buecher = of('xn--bcher-kva.de').webHosting;
    expect([buecher?.docRoot, buecher?.aliases, buecher?.php, buecher?.ssl]).toEqual([
      layout.sites[2]!.docRoot,
      layout.sites[2]!.aliases,
      false,
      undefined,
    ]);
    expect(of('mail-only.test').webHosting).toBeUndefined();
  });

  it('mailboxes: quota, counts, content id, crypted passwords sealed', async () => {
    const quotaKb: Record<string, number> = { '1G': 1024 * 1024, '512M': 512 * 1024 };
    const scheme: Record<string, [string, string]> = {
      'john@example.com': ['SHA512-CRYPT', '$6$johnsalt$johnHASH'],
      'info@example.com': ['SHA512-CRYPT', '$6$infosalt$infoHASH'],
    };
    const boxes = of('example.com').mail?.mailboxes ?? [];
    const expectedBoxes = layout.mailboxes.filter((m) => m.address.endsWith('@example.com'));
    expect(boxes.map((b) => b.address).sort()).toEqual(expectedBoxes.map((m) => m.address).sort());
    for (const m of expectedBoxes) {
      const b = boxes.find((x) => x.address === m.address) as MailboxModel;
      const [hashScheme, hash] = scheme[m.address]!;
      expect({ ...b, password: undefined }).toEqual({
        name: m.address.split('@')[0],
        address: m.address,
        password: undefined,
        quotaKb: quotaKb[m.quota ?? ''],
        messageCount: Object.keys(m.messages).length,
        sizeBytes: Object.values(m.messages).reduce((n, s) => n + Buffer.byteLength(s), 0),
        contentId: `mailbox:${m.address}`,
      });
      expect([b.password?.crypted, b.password?.scheme, b.password?.hasAmpersand]).toEqual([
        true,
        hashScheme,
        false,
      ]);
      expect(await unseal(b.password)).toBe(hash);
    }
    // A plain password with "&": sealed, its "&" remembered for verification.
    const mueller = of('xn--bcher-kva.de').mail?.mailboxes[0];
    expect([
      mueller?.address,
      mueller?.quotaKb,
      mueller?.password?.crypted,
      mueller?.password?.hasAmpersand,
    ]).toEqual(['müller@xn--bcher-kva.de', undefined, false, true]);
    expect(await unseal(mueller?.password)).toBe('klartext&<pw>');
  });

  it('aliases, forwarders, autoresponder and catch-all as the Postfix and Sieve files say', () => {
    const mail = of('example.com').mail;
    expect(mail?.enabled).toBe(true);
    expect(mail?.aliases).toEqual([
      { address: 'sales@example.com', targets: ['john@example.com'], keepCopy: false },
      {
        address: 'postmaster@example.com',
        targets: ['john@example.com', 'info@example.com'],
        keepCopy: false,
      },
    ]);
    expect(mail?.forwarders).toEqual([
      { address: 'info@example.com', targets: ['info-archive@gmail.test'], keepCopy: true },
      { address: 'ext@example.com', targets: ['someone@elsewhere.test'], keepCopy: false },
    ]);
    const vacation = layout.mailboxes[1]!.vacation!;
    expect(mail?.autoresponders).toEqual([
      { address: 'info@example.com', subject: vacation.subject, text: vacation.text, enabled: true },
    ]);
    expect(mail?.catchAll).toBeUndefined();
    const hostile = layout.mailboxes[3]!.address;
    expect(of('mail-only.test').mail?.catchAll).toEqual([hostile]);
    expect(of('mail-only.test').mail?.mailboxes.map((b) => b.address)).toEqual([hostile]);
  });

  it('databases from the real MariaDB, with their users and sealed hashes', async () => {
    const dbs = of('example.com').databases;
    expect(dbs.map((d) => [d.name, d.type, d.users.map((u) => u.login)])).toEqual([
      ['alice_shop', 'mysql', ['alice_shop']],
    ]);
    expect(typeof dbs[0]?.sizeBytes).toBe('number');
    const pw = dbs[0]?.users[0]?.password;
    expect([pw?.crypted, pw?.scheme]).toEqual([true, 'MYSQL41']);
    expect(await unseal(pw)).toBe(mysql41(SHOP_PASSWORD));
    expect(of('xn--bcher-kva.de').databases).toEqual([]);
  });

  it('FTP users, web users and cron jobs of the owner', async () => {
    const s = of('example.com');
    const users = Object.fromEntries(layout.users.map((u) => [u.name, u]));
    expect(s.ftpUsers.map((u) => [u.login, u.home, u.password?.crypted, u.password?.scheme])).toEqual([
      ['alice', users['alice']!.home, true, 'SHA512-CRYPT'],
      ['alice-ftp', users['alice-ftp']!.home, true, 'MD5-CRYPT'],
    ]);
    expect(await unseal(s.ftpUsers[0]?.password)).toBe(users['alice']!.hash);
    expect(await unseal(s.ftpUsers[1]?.password)).toBe(users['alice-ftp']!.hash);
    const prot = layout.sites[0]!.protectedDir!;
    expect(s.webUsers.map((u) => [u.login, u.directory, u.password?.scheme])).toEqual([
      ['editor', `/${prot.dir}`, 'APR1'],
      ['vip"user', `/${prot.dir}`, 'SHA'],
    ]);
    expect(await unseal(s.webUsers[0]?.password)).toBe(prot.users['editor']);
    expect(await unseal(s.webUsers[1]?.password)).toBe('abcdef=');
    expect(s.cronJobs).toEqual([
      {
        schedule: '*/5 * * * *',
        command: 'php /home/alice/sites/example.com/public_html/cron.php > /dev/null 2>&1',
        user: 'alice',
        enabled: true,
      },
      { schedule: '@daily', command: '/home/alice/bin/backup.sh', user: 'alice', enabled: true },
    ]);
  });

  it('keeps the facts verification reads, under the same keys', async () => {
    const facts = await core.domainServices.facts(projectId);
    expect([...facts.keys()].sort()).toEqual([...all.keys()].sort());
    expect(facts.get(objectKey(serverId, 'example.com'))).toEqual({
      ampersandPasswords: [],
      mailAliases: ['sales@example.com', 'postmaster@example.com'],
      databases: ['alice_shop'],
      hasWebHosting: true,
      subdomains: ['blog', ...layout.sites[0]!.aliases],
    });
    expect(facts.get(objectKey(serverId, 'xn--bcher-kva.de'))?.ampersandPasswords).toEqual([
      'mailbox müller@xn--bcher-kva.de',
    ]);
  });

  it('stores no password, hash or key in plain text', async () => {
    const stored = (await readProjectText(servicesFile())) + (await readProjectText(factsFile()));
    expect(stored).toContain('alice_shop');
    const secrets = [
      ...layout.mailboxes.map((m) => m.hash.replace(/^\{[A-Z0-9-]+\}/, '')),
      ...layout.users.flatMap((u) => (u.hash && u.hash !== '!' ? [u.hash] : [])),
      ...Object.values(layout.sites[0]!.protectedDir!.users),
      'abcdef=',
      'klartext',
      mysql41(SHOP_PASSWORD),
      SHOP_PASSWORD,
      'ExampleKeyData01',
      'ExampleCertificateData',
    ];
    for (const s of secrets) expect(stored, s).not.toContain(s);
  });
});

describe('domain services: fetched only when missing, kept across restarts', () => {
  it('runs the agent only for the domains it lacks, once even when asked twice at once', async () => {
    runs.length = 0;
    const r = await core.domainServices.ensureFetched(projectId, serverId, [
      'example.com',
      'carol-hosting.net',
      'xn--bcher-kva.de',
    ]);
    expect(r.fetched).toEqual(['carol-hosting.net']);
    expect(servicesRuns()).toEqual(['carol-hosting.net']);
    expect(
      await core.domainServices.missing(projectId, serverId, [
        'example.com',
        'carol-hosting.net',
        'dave.example.org',
      ]),
    ).toEqual(['dave.example.org']);

    runs.length = 0;
    const [a, b] = await Promise.all([
      core.domainServices.ensureFetched(projectId, serverId, ['dave.example.org', 'example.com']),
      core.domainServices.ensureFetched(projectId, serverId, ['dave.example.org']),
    ]);
    expect(servicesRuns()).toEqual(['dave.example.org']);
    // Whichever came first fetched it; the other found it there.
    expect([...a.fetched, ...b.fetched]).toEqual(['dave.example.org']);

    runs.length = 0;
    const none = await core.domainServices.ensureFetched(projectId, serverId, [
      'example.com',
      'dave.example.org',
    ]);
    expect([none.fetched, runs]).toEqual([[], []]);

    // The migration log names what each fetch ran for.
    const log = await readProjectText(join(core.projects.projectDir(projectId), 'migration-log.jsonl'));
    const fetches = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { message: string; details?: { domains?: string[] } })
      .filter((e) => e.message.startsWith('Domain services of'))
      .map((e) => e.details?.domains);
    expect(fetches).toEqual([
      ['example.com', 'xn--bcher-kva.de', 'mail-only.test'],
      ['carol-hosting.net'],
      ['dave.example.org'],
    ]);
  });

  it('writes the services file once per fetch, versioned, and a new process reads it back', async () => {
    const file = JSON.parse(await readProjectText(servicesFile())) as {
      schemaVersion: number;
      serverId: string;
      domains: Record<string, unknown>;
    };
    expect([file.schemaVersion, file.serverId, Object.keys(file.domains).length]).toEqual([1, serverId, 5]);
    const before = await core.domainServices.services(projectId);
    const beforeFacts = await core.domainServices.facts(projectId);

    const again = createCore({ dataDir, shell: 'test' });
    runs.length = 0;
    countAgentRuns(again);
    expect(await again.domainServices.services(projectId)).toEqual(before);
    expect(await again.domainServices.facts(projectId)).toEqual(beforeFacts);
    expect(
      await again.domainServices.missing(projectId, serverId, ['example.com', 'mail-only.test']),
    ).toEqual([]);
    expect((await again.domainServices.ensureFetched(projectId, serverId, ['example.com'])).fetched).toEqual(
      [],
    );
    expect(runs).toEqual([]);
    // Sealed values still open with the same secret store after the restart.
    const john = (await again.domainServices.services(projectId))
      .get(objectKey(serverId, 'example.com'))
      ?.mail?.mailboxes.find((m) => m.address === 'john@example.com');
    expect(await unsealInventoryValue(again.secrets, PASSWORD_CONTEXT, john?.password?.value ?? '')).toBe(
      '$6$johnsalt$johnHASH',
    );
  });

  it('a server removed and added again under the same id is fetched afresh, never served the former one', async () => {
    const other = (await core.projects.create('Re-added')).id;
    const add = () =>
      core.servers.add(other, { name: 'web03', kind: 'linux', connection: { type: 'local', root } });
    const first = await add();
    await core.domainServices.ensureFetched(other, first.id, ['mail-only.test']);
    expect(await core.domainServices.missing(other, first.id, ['mail-only.test'])).toEqual([]);
    await core.servers.remove(other, first.id);
    await new Promise((r) => setTimeout(r, 5)); // a distinct addedAt
    const second = await add();
    expect(second.id).toBe(first.id);
    expect(await core.domainServices.missing(other, second.id, ['mail-only.test'])).toEqual([
      'mail-only.test',
    ]);
    expect((await core.domainServices.services(other)).size).toBe(0);
    runs.length = 0;
    expect((await core.domainServices.ensureFetched(other, second.id, ['mail-only.test'])).fetched).toEqual([
      'mail-only.test',
    ]);
    expect(servicesRuns()).toEqual(['mail-only.test']);
    // forget() drops the file and the facts of a server.
    await core.domainServices.forget(other, second.id);
    expect(await core.domainServices.missing(other, second.id, ['mail-only.test'])).toEqual([
      'mail-only.test',
    ]);
    expect((await core.domainServices.facts(other)).size).toBe(0);
  });

  fileStoreOnly('a damaged document file')(
    'refuses a damaged services file by name and never overwrites it',
    async () => {
      const other = await core.projects.create('Damaged');
      const s = await core.servers.add(other.id, {
        name: 'web02',
        kind: 'linux',
        connection: { type: 'local', root },
      });
      const file = join(core.projects.projectDir(other.id), 'domain-services', `${s.id}.json`);
      await mkdir(join(core.projects.projectDir(other.id), 'domain-services'), { recursive: true });
      await writeFile(file, '{"schemaVersion":1,"serverId":"web02","fetchedAt":"","domains":[]}');
      const e = await failure(core.domainServices.services(other.id));
      expect([e.code, e.message]).toEqual(['store-corrupt', expect.stringContaining(file)]);
      await failure(core.domainServices.ensureFetched(other.id, s.id, ['example.com']));
      expect(await readFile(file, 'utf8')).toBe(
        '{"schemaVersion":1,"serverId":"web02","fetchedAt":"","domains":[]}',
      );
    },
  );
});

describe('domain services over SSH: the same agent, and a schema-breaking document refused', () => {
  // A stub agent in the server's agent path (its manifest is newer than the bundled one, so the
  // manager runs it as it is): mode "good" runs the real linux agent, "schema" prints a
  // domainServices document whose line 4 breaks the schema (quotaKb is not a number).
  const SCHEMA_BREAKING = `<?xml version="1.0" encoding="UTF-8"?>
<domainServices apiVersion="2" domainId="example.com" domainName="example.com">
  <mail>
    <mailbox name="john" address="john@example.com" quotaKb="lots"/>
  </mail>
</domainServices>
`;
  const STUB = `#!/usr/bin/perl
use strict;
use warnings;
use FindBin;
my ($base) = map { /^--file=(.*)$/s ? $1 : () } @ARGV;
open my $m, '<', "$FindBin::Bin/mode" or die "stub: no mode file: $!\\n";
my $mode = <$m>;
chomp $mode;
close $m;
exec 'perl', '${join(AGENTS_DIR, 'linux', 'agent.pl')}', @ARGV or die "stub: cannot run the real agent: $!\\n" if $mode eq 'good';
open my $out, '>', "$base.xml" or die "stub: cannot write $base.xml: $!\\n";
print $out <<'XML';
${SCHEMA_BREAKING}XML
close $out or die "stub: cannot close: $!\\n";
exit 0;
`;
  let sshd: Sshd;
  let stubDir: string;
  let sshId: string;

  beforeAll(async () => {
    sshd = await startSshd();
    const agentPath = join(sshd.dir, 'stub-agents');
    stubDir = join(agentPath, 'linux');
    await mkdir(stubDir, { recursive: true });
    await writeFile(join(stubDir, 'agent.pl'), STUB, { mode: 0o755 });
    await writeFile(
      join(stubDir, 'agent.manifest'),
      '<?xml version="1.0" encoding="UTF-8"?>\n<manifest>\n  <name>linux</name>\n  <version>9.9.9</version>\n</manifest>\n',
    );
    await writeFile(join(stubDir, 'mode'), 'good\n');
    sshId = (
      await core.servers.add(projectId, {
        name: 'web01-ssh',
        kind: 'linux',
        ...sshdSource(sshd),
        agentPath,
        sourceRoot: root,
      })
    ).id;
  }, 60_000);
  afterAll(() => sshd?.stop());

  it('gives over SSH the same services as the local transport', async () => {
    runs.length = 0;
    const r = await core.domainServices.ensureFetched(projectId, sshId, ['example.com', 'mail-only.test']);
    expect(r.fetched).toEqual(['example.com', 'mail-only.test']);
    expect(servicesRuns()).toEqual(['example.com', 'mail-only.test']);
    const all = await core.domainServices.services(projectId);
    const strip = (s: DomainServices | undefined): unknown =>
      JSON.parse(JSON.stringify(s ?? null, (k, v: unknown) => (k === 'value' ? 'sealed' : v)));
    for (const d of ['example.com', 'mail-only.test'])
      expect(strip(all.get(objectKey(sshId, d)))).toEqual(strip(all.get(objectKey(serverId, d))));
  });

  it('refuses a schema-breaking document with its line and column, storing nothing', async () => {
    await writeFile(join(stubDir, 'mode'), 'schema\n');
    const before = await readProjectText(
      join(core.projects.projectDir(projectId), 'domain-services', `${sshId}.json`),
    );
    const e = await failure(core.domainServices.ensureFetched(projectId, sshId, ['carol-hosting.net']));
    expect(e.code).toBe('xml-invalid');
    expect(e.message).toMatch(/domainServicesInfo carol-hosting\.net line 4, column \d+: .*quotaKb/);
    expect(
      await readProjectText(join(core.projects.projectDir(projectId), 'domain-services', `${sshId}.json`)),
    ).toBe(before);
    expect(await core.domainServices.missing(projectId, sshId, ['carol-hosting.net'])).toEqual([
      'carol-hosting.net',
    ]);
    expect(await readdir(join(sshd.dir, 'stub-agents', '.mm-runs'))).toEqual([]);
  });
});

describe('mm inventory services', () => {
  it('prints per domain counts of records, mailboxes, databases and FTP users in --json', async () => {
    const r = await runMm([
      'inventory',
      'services',
      'web01',
      '--domains',
      'example.com',
      'mail-only.test',
      '--json',
      '--project',
      projectId,
      '--data-dir',
      dataDir,
    ]);
    expect(r.stderr).toContain('domainServicesInfo mail-only.test');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      domains: 2,
      warnings: 1,
      perDomain: {
        'example.com': { records: 16, mailboxes: 2, databases: 1, ftpUsers: 2 },
        'mail-only.test': { records: 2, mailboxes: 1, databases: 0, ftpUsers: 0 },
      },
    });
  });
});

describe("the built-in demo's source servers", () => {
  let demo: Core;
  beforeAll(async () => {
    demo = createCore({ dataDir: await tempDir('mm-ds-demo-'), shell: 'test' });
    await ensureDemoProject(demo);
  }, 120_000);

  it('the Linux server gives a domain with DNS records, crypted mailboxes, an alias, a forwarder, a database with users and an FTP user', async () => {
    const linux = await demo.servers.get(DEMO, DEMO_SERVER_NAME);
    const inv = await demo.inventory.load(DEMO, linux.id);
    const cityclub = inv?.domains.find((d) => d.name.toLowerCase() === 'cityclub.test');
    expect(cityclub).toBeDefined();
    const id = cityclub?.id ?? '';
    expect((await demo.domainServices.ensureFetched(DEMO, linux.id, [id])).fetched).toEqual([id]);
    const s = (await demo.domainServices.services(DEMO)).get(objectKey(linux.id, id));
    expect(s?.dnsZone?.records.map((r) => `${r.host} ${r.type}`)).toEqual(
      expect.arrayContaining(['@ NS', '@ A', '@ MX', 'www CNAME']),
    );
    const box = s?.mail?.mailboxes[0];
    expect([box?.address, box?.password?.crypted, box?.password?.scheme]).toEqual([
      'info@cityclub.test',
      true,
      'SHA512-CRYPT',
    ]);
    expect(await unsealInventoryValue(demo.secrets, PASSWORD_CONTEXT, box?.password?.value ?? '')).toBe(
      '$6$info$infoMailHash',
    );
    expect(s?.mail?.aliases).toEqual([
      { address: 'office@cityclub.test', targets: ['info@cityclub.test'], keepCopy: false },
    ]);
    expect(s?.mail?.forwarders).toEqual([
      { address: 'info@cityclub.test', targets: ['chair@cityclub-board.example'], keepCopy: true },
    ]);
    expect(s?.databases.map((d) => [d.name, d.type, d.users.map((u) => u.login)])).toEqual([
      ['cityclub_members', 'mysql', ['cityclub_web', 'cityclub_ro']],
    ]);
    const dbUser = s?.databases[0]?.users[0]?.password;
    expect([dbUser?.crypted, dbUser?.scheme]).toEqual([true, 'MYSQL41']);
    expect(await unsealInventoryValue(demo.secrets, PASSWORD_CONTEXT, dbUser?.value ?? '')).toBe(
      mysql41('Club-Members-9'),
    );
    expect(s?.ftpUsers.map((u) => [u.login, u.home, u.password?.crypted])).toEqual([
      ['cityclub', '/home/cityclub', true],
    ]);
  });

  it('a databases list the agent cannot read fails the fetch with its one-line reason, storing nothing', async () => {
    const linux = await demo.servers.get(DEMO, DEMO_SERVER_NAME);
    const root = linux.connection.type === 'local' ? linux.connection.root : '';
    await writeFile(join(root, 'etc/mm/databases.json'), '{"name": "not a list"}\n');
    const e = await failure(demo.domainServices.ensureFetched(DEMO, linux.id, ['hostco.test']));
    expect(e.message).toContain('/etc/mm/databases.json is not a list of databases');
    expect(await demo.domainServices.missing(DEMO, linux.id, ['hostco.test'])).toEqual(['hostco.test']);
  });

  it('the Sphera server (description agent) gives a domain with every part too', async () => {
    const sphera = await demo.servers.get(DEMO, DEMO_SPHERA_NAME);
    await demo.domainServices.ensureFetched(DEMO, sphera.id, ['kiez-cafe.test']);
    const s = (await demo.domainServices.services(DEMO)).get(objectKey(sphera.id, 'kiez-cafe.test'));
    expect(s?.dnsZone?.records.length).toBe(4);
    expect(s?.mail?.mailboxes.map((b) => [b.address, b.quotaKb, b.password?.hasAmpersand])).toEqual([
      ['kai@kiez-cafe.test', 512000, true],
      ['orders@kiez-cafe.test', 256000, false],
    ]);
    expect(s?.mail?.aliases.map((a) => a.address)).toEqual(['info@kiez-cafe.test']);
    expect(s?.mail?.forwarders).toEqual([
      { address: 'orders@kiez-cafe.test', targets: ['kitchen@kiez-partner.example'], keepCopy: true },
    ]);
    expect(s?.databases[0]?.users.map((u) => u.login)).toEqual(['kiez']);
    expect(
      await unsealInventoryValue(
        demo.secrets,
        PASSWORD_CONTEXT,
        s?.databases[0]?.users[0]?.password?.value ?? '',
      ),
    ).toBe('db&pass');
    expect(s?.ftpUsers.map((u) => [u.login, u.home])).toEqual([['kiez-ftp', '/var/hsphere/kiez-cafe.test']]);
    const stored = await readProjectText(
      join(demo.projects.projectDir(DEMO), 'domain-services', `${sphera.id}.json`),
    );
    for (const plain of ['latte&art', 'Orders1', 'db&pass', 'Ftp-Kiez-3'])
      expect(stored).not.toContain(plain);
  });
});
