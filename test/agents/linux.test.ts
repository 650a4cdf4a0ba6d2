import { describe, it, expect, beforeAll } from 'vitest';
import {
  existsSync,
  readFileSync,
  rmSync,
  lstatSync,
  readlinkSync,
  writeFileSync,
  mkdirSync,
  symlinkSync,
  renameSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  agentContent,
  agentXml,
  expectContentRefused,
  expectTarHoldsTree,
  runAgent,
  tempDir,
  schemaErrors,
  parseXml,
  kids,
  kid,
  attr,
  textOf,
  text,
  openTar,
  sha256,
  readTree,
  type XNode,
} from '../helpers/layouts/agent-harness';
import { buildLinuxLayout, standardLinuxLayout, type LinuxLayout } from '../helpers/layouts/linux-layout';

const MARKER = `/tmp/pwned-linux-${process.pid}`;
let root = '';
let layout: LinuxLayout;

function asciiOf(name: string): string {
  return new URL(`http://${name.replace(/\.$/, '')}`).hostname;
}

const xml = (args: string[], xsd: string): Promise<XNode> =>
  agentXml('linux', [`--root=${root}`, ...args], xsd);

function domainOf(site: { serverName: string; parent?: string }): string {
  return site.parent ?? site.serverName;
}

beforeAll(() => {
  rmSync(MARKER, { force: true });
  root = tempDir('linux');
  layout = standardLinuxLayout(MARKER);
  buildLinuxLayout(root, layout);
});

describe('linux agent: command line', () => {
  it('prints its version', async () => {
    const r = await runAgent('linux', ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^linux \d+\.\d+\.\d+\n$/);
  });

  it('writes <file>.xml when --file is given, nothing on stdout', async () => {
    const out = join(tempDir('out'), 'source_system_info');
    const r = await runAgent('linux', [`--root=${root}`, '--extract=hostingPlatformInfo', `--file=${out}`]);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(existsSync(`${out}.xml`)).toBe(true);
    expect(schemaErrors(readFileSync(`${out}.xml`), 'HostingPlatform.xsd')).toBe('');
  });

  it('fails with one line and exit != 0 on an unknown option or --extract value', async () => {
    for (const args of [['--extract=everything'], ['--bogus=1'], [], ['--extract=domainServicesInfo']]) {
      const r = await runAgent('linux', [`--root=${root}`, ...args]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^agent\.pl: error: /);
    }
  });
});

describe('linux agent: hostingPlatformInfo', () => {
  let hp: XNode;
  beforeAll(async () => {
    hp = kid(await xml(['--extract=hostingPlatformInfo'], 'HostingPlatform.xsd'), 'hostingPlatform') as XNode;
  });

  it('describes the platform and the server with its IPs', () => {
    expect(attr(hp, 'apiVersion')).toBe('2');
    expect(attr(kid(hp, 'platform'), 'kind')).toBe('linux');
    expect(attr(kid(hp, 'platform'), 'version')).toBe('12.5');
    const server = kid(kid(hp, 'servers'), 'server');
    expect(attr(server, 'hostname')).toBe(layout.hostname);
    expect(attr(server, 'roles')).toBe('web mail dns');
    expect(
      kids(server, 'ip')
        .map((i) => attr(i, 'address'))
        .sort(),
    ).toEqual(['192.0.2.10', '192.0.2.20']);
  });

  it('emits virtual templates', () => {
    const t = kids(kid(hp, 'serviceTemplates'), 'serviceTemplate');
    expect(t.length).toBeGreaterThan(0);
    for (const x of t) expect(attr(x, 'virtual')).toBe('true');
  });

  it('has one account per site owner, with crypted shadow passwords, reseller and parent', () => {
    const acc = new Map(kids(kid(hp, 'accounts'), 'account').map((a) => [attr(a, 'id') ?? '', a]));
    for (const s of layout.sites) expect(acc.has(s.owner)).toBe(true);
    const alice = acc.get('alice');
    expect(attr(alice, 'company')).toBe('Acme Ltd');
    const pw = kid(kid(alice, 'ccpLogin'), 'password');
    expect(attr(kid(alice, 'ccpLogin'), 'login')).toBe('alice');
    expect(text(pw)).toBe('$6$alicesalt$aliceHASHvalue');
    expect(attr(pw, 'crypted')).toBe('true');
    expect(attr(kid(alice, 'adminContact'), 'email')).toBe('alice@acme.test');
    expect(attr(acc.get('carol'), 'type')).toBe('reseller');
    expect(attr(acc.get('dave'), 'parentId')).toBe('carol');
    expect(attr(acc.get('dave'), 'type')).toBe('customer');
    expect(kid(kid(acc.get('dave'), 'ccpLogin'), 'password')).toBeUndefined();
    expect(attr(kid(acc.get('eve'), 'adminContact'), 'firstName')).toBe('Eve "Quote" O\'Neil');
  });

  it('lists every domain (site, zone, mail) once with its owner, subscription and content ids', () => {
    const domains = kids(kid(hp, 'domains'), 'domain');
    const byAscii = new Map(domains.map((d) => [attr(d, 'asciiName') ?? '', d]));
    const expected = new Set<string>();
    for (const s of layout.sites) if (!s.parent) expected.add(asciiOf(s.serverName));
    for (const z of layout.zones) expected.add(asciiOf(z.statementName));
    for (const d of [...layout.mailDomainsInline, ...layout.mailDomainsTable]) expected.add(asciiOf(d));
    expect(new Set(byAscii.keys())).toEqual(expected);
    for (const s of layout.sites) {
      const d = byAscii.get(asciiOf(domainOf(s)));
      if (!s.parent) {
        expect(attr(d, 'id')).toBe(s.serverName);
        expect(attr(d, 'accountId')).toBe(s.owner);
      }
      expect(
        kids(d, 'content').some((c) => attr(c, 'kind') === 'site' && attr(c, 'id') === s.serverName),
      ).toBe(true);
    }
    for (const m of layout.mailboxes) {
      const d = byAscii.get(asciiOf(m.address.slice(m.address.lastIndexOf('@') + 1)));
      expect(
        kids(d, 'content').some((c) => attr(c, 'kind') === 'mailbox' && attr(c, 'id') === m.address),
      ).toBe(true);
    }
    const subs = new Map(kids(kid(hp, 'subscriptions'), 'subscription').map((s) => [attr(s, 'id') ?? '', s]));
    for (const d of domains) {
      const s = subs.get(attr(d, 'hostingSubscriptionId') ?? '');
      expect(s).toBeDefined();
      expect(attr(s, 'accountId')).toBe(attr(d, 'accountId'));
      expect(kids(s, 'providedDomain').map((p) => attr(p, 'id'))).toContain(attr(d, 'id'));
    }
  });

  it('keeps IDN (UTF-8 and punycode), upper case and trailing dots', () => {
    const domains = kids(kid(hp, 'domains'), 'domain');
    const idn = domains.find((d) => attr(d, 'asciiName') === 'xn--bcher-kva.de');
    expect(attr(idn, 'id')).toBe('bücher.de');
    expect(attr(idn, 'unicodeName')).toBe('bücher.de');
    expect(domains.some((d) => attr(d, 'id') === 'DAVE.Example.ORG')).toBe(true);
    const org = domains.find((d) => attr(d, 'id') === 'Example.ORG.');
    expect(attr(org, 'asciiName')).toBe('example.org');
    expect(attr(org, 'accountId')).toBe('dave');
  });
});

describe('linux agent: domainServicesInfo', () => {
  it('reports every zone record with absolute names and resolved data', async () => {
    const ds = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=example.com'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    const zone = kid(ds, 'dnsZone');
    expect(attr(zone, 'name')).toBe('example.com.');
    const soa = kid(zone, 'soa');
    expect([
      attr(soa, 'primaryNs'),
      attr(soa, 'serial'),
      attr(soa, 'refresh'),
      attr(soa, 'retry'),
      attr(soa, 'expire'),
      attr(soa, 'minimum'),
    ]).toEqual(['ns1.example.com.', '2024010101', '10800', '900', '604800', '300']);
    const recs = kids(zone, 'record').map((r) =>
      [attr(r, 'host'), attr(r, 'type'), attr(r, 'ttl'), attr(r, 'priority') ?? '', attr(r, 'data')].join(
        ' ',
      ),
    );
    expect(recs).toEqual([
      '@ NS 3600  ns1.example.com.',
      '@ NS 3600  ns2.example.net.',
      '@ A 3600  192.0.2.10',
      '@ AAAA 3600  2001:db8::10',
      '@ MX 3600 10 mail.example.com.',
      '@ MX 3600 20 mx2.backup.test.',
      '@ TXT 3600  v=spf1 a mx -all',
      'www CNAME 3600  example.com.',
      'mail A 3600  192.0.2.11',
      'FTP A 600  192.0.2.12',
      '* A 3600  192.0.2.99',
      '_sip._tcp SRV 3600 10 sip.example.com.',
      'sip A 3600  192.0.2.13',
      'note TXT 3600  semi;colon insideand more',
      '@ CAA 3600  0 issue "letsencrypt.org"',
      'blog CNAME 3600  example.com.',
    ]);
    const srv = kids(zone, 'record').find((r) => attr(r, 'type') === 'SRV');
    expect([attr(srv, 'weight'), attr(srv, 'port'), attr(srv, 'name')]).toEqual([
      '5',
      '5060',
      '_sip._tcp.example.com.',
    ]);
  });

  it('reports the web site: docroot, aliases incl. wildcard, PHP, SSL files, subdomain, web users', async () => {
    const ds = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=example.com'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    const site = layout.sites[0]!;
    const web = kid(ds, 'webHosting');
    expect(attr(web, 'docRoot')).toBe(site.docRoot);
    expect(attr(web, 'owner')).toBe('alice');
    expect(attr(web, 'ip')).toBe('192.0.2.10');
    expect(kids(web, 'alias').map((a) => attr(a, 'name'))).toEqual(site.aliases);
    expect(attr(kid(web, 'scripting'), 'php')).toBe('true');
    const ssl = kid(web, 'ssl');
    expect(textOf(ssl, 'certificate')[0]).toBe(site.ssl?.cert);
    expect(textOf(ssl, 'privateKey')[0]).toBe(site.ssl?.key);
    const sub = kid(web, 'subdomain');
    expect([attr(sub, 'name'), attr(sub, 'hostname'), attr(sub, 'docRoot'), attr(sub, 'contentId')]).toEqual([
      'blog',
      'blog.example.com',
      '/home/alice/sites/blog.example.com',
      'site:blog.example.com',
    ]);
    const wu = kids(ds, 'webUser').map((u) => [
      attr(u, 'login'),
      attr(u, 'directory'),
      text(kid(u, 'password')),
    ]);
    expect(wu).toEqual([
      ['editor', '/private', '$apr1$salt$editorHASH'],
      ['vip"user', '/private', 'abcdef='],
    ]);
    expect(kids(ds, 'ftpUser').map((u) => attr(u, 'login'))).toEqual(['alice', 'alice-ftp']);
    expect(kids(ds, 'cronJob').map((c) => [attr(c, 'schedule'), textOf(c, 'command')[0]])).toEqual([
      ['*/5 * * * *', 'php /home/alice/sites/example.com/public_html/cron.php > /dev/null 2>&1'],
      ['@daily', '/home/alice/bin/backup.sh'],
    ]);
  });

  it('reports every mailbox with quota, crypted password and message count, and aliases/forwarders/autoresponders', async () => {
    const ds = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=example.com'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    const mail = kid(ds, 'mail');
    const boxes = new Map(kids(mail, 'mailbox').map((b) => [attr(b, 'address') ?? '', b]));
    for (const m of layout.mailboxes.filter((x) => x.address.endsWith('@example.com'))) {
      const b = boxes.get(m.address);
      expect(b).toBeDefined();
      expect(attr(b, 'messageCount')).toBe(String(Object.keys(m.messages).length));
      expect(attr(b, 'sizeBytes')).toBe(
        String(Object.values(m.messages).reduce((n, s) => n + Buffer.byteLength(s), 0)),
      );
      expect(text(kid(b, 'password'))).toBe(m.hash.replace(/^\{[A-Z0-9-]+\}/, ''));
      expect(attr(kid(b, 'password'), 'crypted')).toBe('true');
      expect(attr(b, 'contentId')).toBe(`mailbox:${m.address}`);
    }
    expect(attr(boxes.get('john@example.com'), 'quotaKb')).toBe(String(1024 * 1024));
    const aliases = kids(mail, 'alias').map((a) => [attr(a, 'address'), textOf(a, 'target')]);
    expect(aliases).toEqual([
      ['sales@example.com', ['john@example.com']],
      ['postmaster@example.com', ['john@example.com', 'info@example.com']],
    ]);
    const fw = kids(mail, 'forwarder').map((a) => [
      attr(a, 'address'),
      attr(a, 'keepCopy') ?? 'false',
      textOf(a, 'target'),
    ]);
    expect(fw).toEqual([
      ['info@example.com', 'true', ['info-archive@gmail.test']],
      ['ext@example.com', 'false', ['someone@elsewhere.test']],
    ]);
    const ar = kid(mail, 'autoresponder');
    expect([attr(ar, 'address'), attr(ar, 'subject'), textOf(ar, 'text')[0]]).toEqual([
      'info@example.com',
      'Out of office',
      'I am away until Monday.\nRegards',
    ]);
  });

  it('finds a domain by punycode, UTF-8, upper case or trailing dot', async () => {
    for (const id of ['xn--bcher-kva.de', 'bücher.de', 'BÜCHER.DE.', 'XN--BCHER-KVA.DE']) {
      const ds = kid(
        await xml(['--extract=domainServicesInfo', `--domain-id=${id}`], 'PEMDomainServices.xsd'),
        'domainServices',
      );
      expect(attr(ds, 'domainId')).toBe('bücher.de');
      expect(attr(kid(ds, 'dnsZone'), 'name')).toBe('xn--bcher-kva.de.');
      const box = kid(kid(ds, 'mail'), 'mailbox');
      expect(attr(box, 'address')).toBe('müller@xn--bcher-kva.de');
      expect(attr(kid(box, 'password'), 'crypted')).toBe('false');
      expect(text(kid(box, 'password'))).toBe('klartext&<pw>');
      expect(kids(kid(ds, 'webHosting'), 'alias').map((a) => attr(a, 'name'))).toEqual([
        'www.xn--bcher-kva.de',
      ]);
    }
    const org = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=Example.ORG.'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    const recs = kids(kid(org, 'dnsZone'), 'record').map((r) => [
      attr(r, 'name'),
      attr(r, 'type'),
      attr(r, 'data'),
    ]);
    expect(recs).toEqual([
      ['Example.ORG.', 'NS', 'ns1.example.com.'],
      ['DAVE.Example.ORG.', 'A', '192.0.2.20'],
      ['www.DAVE.Example.ORG.', 'CNAME', 'DAVE.Example.ORG.'],
    ]);
    expect(attr(kid(kid(org, 'dnsZone'), 'soa'), 'hostmaster')).toBe('hostmaster.Example.ORG.');
  });

  it('treats hostile names as data: escaped in XML, never run', async () => {
    const ds = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=evil.test'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    expect(kids(kid(ds, 'webHosting'), 'alias').map((a) => attr(a, 'name'))).toEqual(
      layout.sites[5]!.aliases,
    );
    const mo = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=mail-only.test'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    const hostileBox = layout.mailboxes[3]!.address;
    expect(attr(kid(kid(mo, 'mail'), 'mailbox'), 'address')).toBe(hostileBox);
    expect(textOf(kid(kid(mo, 'mail'), 'catchAll'), 'target')).toEqual([hostileBox]);
    const bad = await runAgent('linux', [
      `--root=${root}`,
      '--extract=domainServicesInfo',
      `--domain-id=x';$(touch ${MARKER});\`touch ${MARKER}\`\n"`,
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(MARKER)).toBe(false);
  });
});

describe('linux agent: domainContent', () => {
  it('packs exactly the site files, symlinks as links, with a matching SHA-256 manifest', async () => {
    const site = layout.sites[0]!;
    const out = join(tempDir('content'), 'site');
    const r = await runAgent('linux', [
      `--root=${root}`,
      '--extract=domainContent',
      '--domain-id=example.com',
      '--content-id=site:example.com',
      `--file=${out}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const tar = openTar(`${out}.tar`);
    expect(tar.members[tar.members.length - 1]).toBe('MANIFEST.sha256');
    const files = new Map([...tar.files].filter(([n]) => n !== 'MANIFEST.sha256'));
    const expected = readTree(join(root, site.docRoot));
    expect(new Set(files.keys())).toEqual(new Set(expected.keys()));
    for (const [n, data] of expected) expect(files.get(n)?.equals(data)).toBe(true);
    expect(new Set(tar.manifest.keys())).toEqual(new Set(expected.keys()));
    for (const [n, hex] of tar.manifest) expect(hex).toBe(sha256(files.get(n) ?? Buffer.alloc(0)));
    expect(tar.symlinks.get('home.html')).toBe('index.html');
    expect(tar.symlinks.get('passwd-link')).toBe('/etc/passwd');
    expect(Object.keys(site.files).every((f) => files.has(f))).toBe(true);
  });

  it('packs a mailbox with every message (Maildir folders included) to stdout', async () => {
    for (const m of layout.mailboxes) {
      const dom = m.address.slice(m.address.lastIndexOf('@') + 1);
      const r = await runAgent('linux', [
        `--root=${root}`,
        '--extract=domainContent',
        `--domain-id=${dom}`,
        `--content-id=mailbox:${m.address}`,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const f = join(tempDir('mbox'), 'm.tar');
      writeFileSync(f, r.stdout);
      const tar = openTar(f);
      const msgs = [...tar.files.keys()]
        .filter((n) => n !== 'MANIFEST.sha256' && n !== '.dovecot.sieve')
        .sort();
      expect(msgs).toEqual(Object.keys(m.messages).sort());
      for (const [n, body] of Object.entries(m.messages)) {
        expect(tar.files.get(n)?.toString()).toBe(body);
        expect(tar.manifest.get(n)).toBe(sha256(body));
      }
      expect(tar.dirs).toEqual(expect.arrayContaining(['cur', 'new', 'tmp']));
    }
    expect(existsSync(MARKER)).toBe(false);
  });

  it('exits non-zero with one line and leaves no file for an unknown domain or content id', async () => {
    await expectContentRefused('linux', root, [
      ['nosuch.example', 'site:nosuch.example'],
      ['example.com', 'mailbox:nobody@example.com'],
      ['example.com', 'site:bücher.de'],
      ['example.com', 'nonsense'],
    ]);
  });

  it('streams a large file without holding it (64 KiB blocks) and checksums it', async () => {
    const big = join(root, layout.sites[3]!.docRoot, 'big.bin');
    const chunk = Buffer.alloc(1024 * 1024, 7);
    chunk.write('start');
    writeFileSync(big, Buffer.concat(Array.from({ length: 24 }, () => chunk)));
    try {
      const out = join(tempDir('big'), 'big');
      const r = await runAgent('linux', [
        `--root=${root}`,
        '--extract=domainContent',
        '--domain-id=carol-hosting.net',
        '--content-id=site:carol-hosting.net',
        `--file=${out}`,
      ]);
      expect(r.code).toBe(0);
      const tar = openTar(`${out}.tar`);
      expect(tar.manifest.get('big.bin')).toBe(sha256(readFileSync(big)));
      expect(tar.files.get('big.bin')?.length).toBe(24 * 1024 * 1024);
    } finally {
      rmSync(big);
    }
  });
});

describe('linux agent: domainContent of a symlinked content root', () => {
  // A second server: carol's docroot /var/www/carol-hosting is a RELATIVE symlink to
  // /home/carol/public_html, dave's /srv/www/dave an ABSOLUTE one to /srv/www/real (read below
  // --root, as the source system sees it), and alice's Maildir a symlink to another folder.
  let sroot = '';
  let slayout: LinuxLayout;

  const content = (domain: string, cid: string) => agentContent('linux', sroot, domain, cid);

  beforeAll(() => {
    sroot = tempDir('linux-symlinks');
    slayout = standardLinuxLayout(MARKER);
    buildLinuxLayout(sroot, slayout);
    const carol = join(sroot, 'var/www/carol-hosting');
    mkdirSync(join(sroot, 'home/carol'), { recursive: true });
    renameSync(carol, join(sroot, 'home/carol/public_html'));
    mkdirSync(join(sroot, 'home/carol/public_html/css'));
    writeFileSync(join(sroot, 'home/carol/public_html/css/site.css'), 'body { color: red }\n');
    writeFileSync(join(sroot, 'home/carol/public_html/long-name.txt'), 'x'.repeat(5000));
    symlinkSync('index.html', join(sroot, 'home/carol/public_html/start.html'));
    symlinkSync('css', join(sroot, 'home/carol/public_html/styles'));
    symlinkSync('/etc', join(sroot, 'home/carol/public_html/etc-link'));
    symlinkSync('../../home/carol/public_html', carol);
    renameSync(join(sroot, 'srv/www/dave'), join(sroot, 'srv/www/real'));
    writeFileSync(join(sroot, 'srv/www/real/about.html'), 'About Dave\n');
    symlinkSync('/srv/www/real', join(sroot, 'srv/www/dave'));
    const box = join(sroot, '/var/mail/vhosts', slayout.mailboxes[0]!.path);
    mkdirSync(join(sroot, 'srv/mail'), { recursive: true });
    renameSync(box, join(sroot, 'srv/mail/john'));
    symlinkSync('/srv/mail/john', box.replace(/\/$/, ''));
  });

  it('archives the directory a relative symlink docroot points to, under the usual member names', async () => {
    const site = slayout.sites.find((s) => s.conf === 'carol-hosting')!;
    expect(lstatSync(join(sroot, site.docRoot)).isSymbolicLink()).toBe(true);
    const tar = await content('carol-hosting.net', 'site:carol-hosting.net');
    expectTarHoldsTree(tar, join(sroot, 'home/carol/public_html'));
    expect(tar.files.get('index.html')?.toString()).toBe('Carol\n');
    expect(tar.files.get('css/site.css')?.toString()).toBe('body { color: red }\n');
    expect(tar.files.get('long-name.txt')?.toString()).toBe('x'.repeat(5000));
    expect(tar.dirs).toEqual(['css']);
    expect(tar.members.some((m) => m.includes('carol-hosting') || m.includes('public_html'))).toBe(false);
  });

  it('reads an absolute symlink docroot target (/srv/www/real) below --root', async () => {
    const site = slayout.sites.find((s) => s.conf === 'dave')!;
    expect(readlinkSync(join(sroot, site.docRoot))).toBe('/srv/www/real');
    const tar = await content('dave.example.org', 'site:DAVE.Example.ORG');
    expectTarHoldsTree(tar, join(sroot, 'srv/www/real'));
    expect(tar.files.get('index.html')?.toString()).toBe('Dave\n');
    expect(tar.files.get('about.html')?.toString()).toBe('About Dave\n');
  });

  it('archives a Maildir that is an absolute symlink, and counts its messages', async () => {
    const m = slayout.mailboxes[0]!;
    const dom = m.address.slice(m.address.lastIndexOf('@') + 1);
    const tar = await content(dom, `mailbox:${m.address}`);
    expectTarHoldsTree(tar, join(sroot, 'srv/mail/john'));
    for (const [n, body] of Object.entries(m.messages)) expect(tar.files.get(n)?.toString()).toBe(body);
    expect(tar.dirs).toEqual(expect.arrayContaining(['cur', 'new', 'tmp']));
    const r = await runAgent('linux', [
      `--root=${sroot}`,
      '--extract=domainServicesInfo',
      `--domain-id=${dom}`,
    ]);
    expect(r.code).toBe(0);
    const mail = kid(kid(parseXml(r.stdout), 'domainServices'), 'mail');
    const b = kids(mail, 'mailbox').find((x) => attr(x, 'address') === m.address);
    expect(attr(b, 'messageCount')).toBe(String(Object.keys(m.messages).length));
  });

  it('fails with one line and no file when the symlinked docroot dangles', async () => {
    const link = join(sroot, 'home/eve/evil.test');
    renameSync(link, `${link}.gone`);
    symlinkSync('/nowhere/at/all', link);
    try {
      const dir = tempDir('dangling');
      const r = await runAgent('linux', [
        `--root=${sroot}`,
        '--extract=domainContent',
        '--domain-id=evil.test',
        '--content-id=site:evil.test',
        `--file=${dir}/out`,
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^agent\.pl: error: content 'site:evil\.test' .*not found.*\n$/);
      expect(readTree(dir).size).toBe(0);
    } finally {
      rmSync(link);
      renameSync(`${link}.gone`, link);
    }
  });

  it('stores symlinks inside the tree as symlink members, never following them', async () => {
    const tar = await content('carol-hosting.net', 'site:carol-hosting.net');
    expect(tar.symlinks).toEqual(
      new Map([
        ['etc-link', '/etc'],
        ['start.html', 'index.html'],
        ['styles', 'css'],
      ]),
    );
    expect([...tar.files.keys()].some((n) => n.startsWith('styles/') || n.startsWith('etc-link/'))).toBe(
      false,
    );
    expect(tar.manifest.has('start.html')).toBe(false);
    // type '2' (symbolic link) members: `tar -tv` lists them with mode "l..." and "-> target"
    const links = execFileSync('tar', ['-tvf', tar.file], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.startsWith('l'))
      .map((l) => l.replace(/^.* (\S+ -> \S+)$/, '$1'))
      .sort();
    expect(links).toEqual(['etc-link -> /etc', 'start.html -> index.html', 'styles -> css']);
  });
});

describe('linux agent: accountsInfo and domainsInfo', () => {
  it('returns the asked accounts with their subscriptions and domains, and names the missing ones', async () => {
    const doc = kid(
      await xml(['--extract=accountsInfo', '--account-ids=alice bob nobody'], 'HostingPlatform.xsd'),
      'accountsInfo',
    );
    expect(kids(kid(doc, 'accounts'), 'account').map((a) => attr(a, 'id'))).toEqual(['alice', 'bob']);
    const doms = kids(kid(doc, 'domains'), 'domain')
      .map((d) => attr(d, 'id'))
      .sort();
    expect(doms).toEqual(['bücher.de', 'example.com']);
    expect(kids(kid(doc, 'subscriptions'), 'subscription').length).toBe(2);
    expect(kids(doc, 'notFound').map((n) => attr(n, 'id'))).toEqual(['nobody']);
  });

  it('returns the asked domains in any spelling', async () => {
    const doc = kid(
      await xml(
        ['--extract=domainsInfo', '--domain-ids=EXAMPLE.COM. xn--bcher-kva.de nope.test'],
        'HostingPlatform.xsd',
      ),
      'domainsInfo',
    );
    expect(kids(kid(doc, 'domains'), 'domain').map((d) => attr(d, 'id'))).toEqual([
      'example.com',
      'bücher.de',
    ]);
    expect(
      kids(kid(doc, 'subscriptions'), 'subscription')
        .map((s) => attr(s, 'id'))
        .sort(),
    ).toEqual(['sub-example.com', 'sub-xn--bcher-kva.de']);
    expect(kids(doc, 'notFound').map((n) => attr(n, 'id'))).toEqual(['nope.test']);
  });
});

describe('linux agent: --disable=subscriptions', () => {
  it('takes the site out of sites-enabled, records it, and reports it disabled afterwards', async () => {
    const copy = tempDir('disable');
    buildLinuxLayout(copy, standardLinuxLayout(MARKER));
    const r = await runAgent('linux', [
      `--root=${copy}`,
      '--disable=subscriptions',
      '--subscription-ids=sub-example.com sub-evil.test',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(schemaErrors(r.stdout, 'HostingPlatform.xsd')).toBe('');
    const en = join(copy, 'etc/apache2/sites-enabled');
    expect(existsSync(join(en, 'example.com.conf'))).toBe(false);
    expect(lstatSync(join(en, 'example.com.conf.mm-disabled')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(en, 'example.com.conf.mm-disabled'))).toBe(
      '../sites-available/example.com.conf',
    );
    expect(existsSync(join(en, 'blog.example.com.conf.mm-disabled'))).toBe(true);
    expect(existsSync(join(en, 'evil.conf.mm-disabled'))).toBe(true);
    expect(existsSync(join(en, 'dave.conf'))).toBe(true);
    const hp = kid(
      parseXml((await runAgent('linux', [`--root=${copy}`, '--extract=hostingPlatformInfo'])).stdout),
      'hostingPlatform',
    );
    const subs = new Map(
      kids(kid(hp, 'subscriptions'), 'subscription').map((s) => [attr(s, 'id'), attr(s, 'status')]),
    );
    expect(subs.get('sub-example.com')).toBe('disabled');
    expect(subs.get('sub-evil.test')).toBe('disabled');
    expect(subs.get('sub-dave.example.org')).toBe('active');
    const ds = kid(
      parseXml(
        (
          await runAgent('linux', [
            `--root=${copy}`,
            '--extract=domainServicesInfo',
            '--domain-id=example.com',
          ])
        ).stdout,
      ),
      'domainServices',
    );
    expect(attr(kid(ds, 'webHosting'), 'enabled')).toBe('false');
  });

  it('refuses an unknown subscription id and changes nothing', async () => {
    const copy = tempDir('disable2');
    buildLinuxLayout(copy, standardLinuxLayout(MARKER));
    const r = await runAgent('linux', [
      `--root=${copy}`,
      '--disable=subscriptions',
      '--subscription-ids=sub-example.com sub-nope',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown subscription id 'sub-nope'");
    expect(existsSync(join(copy, 'etc/apache2/sites-enabled/example.com.conf'))).toBe(true);
    expect(existsSync(join(copy, 'var/lib/mm-agent'))).toBe(false);
  });
});
