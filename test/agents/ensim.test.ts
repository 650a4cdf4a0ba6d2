import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  agentContent,
  agentXml,
  expectTarHoldsTree,
  runAgent,
  tempDir,
  schemaErrors,
  kids,
  kid,
  attr,
  text,
  textOf,
  openTar,
  sha256,
  type XNode,
} from '../helpers/layouts/agent-harness';
import { buildEnsimLayout, standardEnsimLayout, type EnsimLayout } from '../helpers/layouts/ensim-layout';

const MARKER = `/tmp/pwned-ensim-${process.pid}`;
let root = '';
let layout: EnsimLayout;

const xml = (args: string[], xsd: string, r0 = root): Promise<XNode> =>
  agentXml('ensim', [`--root=${r0}`, ...args], xsd);

function byId(list: XNode[]): Map<string | undefined, XNode> {
  return new Map(list.map((x) => [attr(x, 'id'), x]));
}

beforeAll(() => {
  rmSync(MARKER, { force: true });
  root = tempDir('ensim');
  layout = standardEnsimLayout(MARKER);
  buildEnsimLayout(root, layout);
});

describe('ensim agent: hostingPlatformInfo', () => {
  let hp: XNode;
  beforeAll(async () => {
    hp = kid(await xml(['--extract=hostingPlatformInfo'], 'HostingPlatform.xsd'), 'hostingPlatform') as XNode;
  });

  it('describes the box: platform, server with the sites IPs, virtual templates', () => {
    expect([attr(kid(hp, 'platform'), 'kind'), attr(kid(hp, 'platform'), 'version')]).toEqual([
      'ensim',
      '4.0.3',
    ]);
    const srv = kid(kid(hp, 'servers'), 'server');
    expect(attr(srv, 'hostname')).toBe('ensim1.example.net');
    expect(kids(srv, 'ip').map((i) => attr(i, 'address'))).toEqual(['203.0.113.5', '203.0.113.6']);
    const t = byId(kids(kid(hp, 'serviceTemplates'), 'serviceTemplate'));
    expect([...t.keys()]).toEqual(['ensim-plan:Gold', 'ensim-site']);
    expect(attr(t.get('ensim-site'), 'virtual')).toBe('true');
  });

  it('has one account and one subscription per site, with the site admin as CCP login', () => {
    const acc = byId(kids(kid(hp, 'accounts'), 'account'));
    expect([...acc.keys()]).toEqual(['site1', 'site2', 'site3']);
    const a1 = acc.get('site1');
    expect(attr(kid(a1, 'ccpLogin'), 'login')).toBe('widgetadm');
    expect([
      text(kid(kid(a1, 'ccpLogin'), 'password')),
      attr(kid(kid(a1, 'ccpLogin'), 'password'), 'scheme'),
    ]).toEqual(['$6$adm$site1hash', 'SHA512-CRYPT']);
    expect(attr(kid(a1, 'adminContact'), 'email')).toBe('owner@widgets.example');
    expect(attr(acc.get('site3'), 'status')).toBe('suspended');
    const subs = byId(kids(kid(hp, 'subscriptions'), 'subscription'));
    expect([attr(subs.get('site1'), 'templateId'), attr(subs.get('site2'), 'templateId')]).toEqual([
      'ensim-plan:Gold',
      'ensim-site',
    ]);
    expect(kids(subs.get('site2'), 'providedDomain').map((d) => attr(d, 'id'))).toEqual(['gadgets.example']);
    expect(attr(subs.get('site3'), 'status')).toBe('suspended');
  });

  it('lists the domains with site and mailbox content', () => {
    const d = byId(kids(kid(hp, 'domains'), 'domain'));
    expect([...d.keys()]).toEqual(['widgets.example', 'gadgets.example', 'old-shop.example']);
    expect(
      kids(d.get('widgets.example'), 'content').map((c) => `${attr(c, 'kind')}:${attr(c, 'id')}`),
    ).toEqual(['site:widgets.example', 'mailbox:joe@widgets.example', 'mailbox:ann@widgets.example']);
    expect(attr(d.get('old-shop.example'), 'status')).toBe('suspended');
  });
});

describe('ensim agent: domainServicesInfo', () => {
  it('serves the zone, site, site users as mailboxes, aliases, virtusertable, databases and FTP', async () => {
    const ds = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=widgets.example'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    const z = kid(ds, 'dnsZone');
    expect(attr(kid(z, 'soa'), 'serial')).toBe('2024010101');
    expect(kids(z, 'record').map((r) => `${attr(r, 'host')} ${attr(r, 'type')} ${attr(r, 'data')}`)).toEqual([
      '@ NS ns1.ensim1.example.net.',
      '@ A 203.0.113.5',
      'www CNAME widgets.example.',
      '@ MX mail.widgets.example.',
      'mail A 203.0.113.5',
      `@ TXT v=spf1 a ~all$(touch\${IFS}${MARKER})`,
    ]);
    const web = kid(ds, 'webHosting');
    expect(['docRoot', 'ip', 'owner', 'enabled', 'contentId'].map((k) => attr(web, k))).toEqual([
      '/home/virtual/site1/fst/var/www/html',
      '203.0.113.5',
      'admin1',
      'true',
      'site:widgets.example',
    ]);
    expect(kids(web, 'alias').map((a) => attr(a, 'name'))).toEqual(['www.widgets.example']);
    expect([attr(kid(web, 'scripting'), 'php'), attr(kid(web, 'scripting'), 'cgi')]).toEqual([
      'true',
      'true',
    ]);
    const mail = kid(ds, 'mail');
    expect(
      kids(mail, 'mailbox').map((b) => [
        attr(b, 'address'),
        attr(b, 'quotaKb'),
        attr(b, 'messageCount'),
        attr(kid(b, 'password'), 'scheme'),
      ]),
    ).toEqual([
      ['widgetadm@widgets.example', '25600', undefined, 'SHA512-CRYPT'],
      ['joe@widgets.example', '25600', '2', 'MD5-CRYPT'],
      ['ann@widgets.example', '25600', '1', 'SHA512-CRYPT'],
    ]);
    expect(kids(mail, 'alias').map((a) => [attr(a, 'address'), textOf(a, 'target')])).toEqual([
      ['webmaster@widgets.example', ['joe@widgets.example']],
      ['sales@widgets.example', ['joe@widgets.example', 'ann@widgets.example']],
    ]);
    expect(kids(mail, 'forwarder').map((a) => [attr(a, 'address'), textOf(a, 'target')])).toEqual([
      ['press@widgets.example', ['ann@widgets.example', 'press-office@news.example']],
    ]);
    expect(textOf(kid(mail, 'catchAll'), 'target')).toEqual(['joe@widgets.example']);
    expect(
      kids(ds, 'database').map((d) => [attr(d, 'name'), attr(d, 'type'), attr(kid(d, 'user'), 'login')]),
    ).toEqual([
      ['widgets_shop', 'mysql', 'widgetadm'],
      ['widgets_blog', 'mysql', 'widgetadm'],
    ]);
    expect([attr(kid(ds, 'ftpUser'), 'login'), attr(kid(ds, 'ftpUser'), 'home')]).toEqual([
      'widgetadm',
      '/home/virtual/site1/fst',
    ]);
    expect(existsSync(MARKER)).toBe(false);
  });

  it('serves the other sites: forwarders off the box, bounced catch-alls, disabled sites', async () => {
    const g = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=gadgets.example'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    expect(kid(g, 'dnsZone')).toBeUndefined();
    expect(textOf(kid(kid(g, 'mail'), 'forwarder'), 'target')).toEqual(['info@gadgets-partner.example']);
    expect(kid(kid(g, 'mail'), 'catchAll')).toBeUndefined();
    expect(kids(g, 'database')).toHaveLength(0);
    const o = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=old-shop.example'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    expect(attr(kid(o, 'webHosting'), 'enabled')).toBe('false');
    expect(kids(o, 'database').map((d) => attr(d, 'name'))).toEqual(['old_db']);
  });
});

describe('ensim agent: domainContent', () => {
  it('packs the document root and mbox spools with a matching manifest', async () => {
    const cases: [string, string, string][] = [
      ['widgets.example', 'site:widgets.example', 'home/virtual/site1/fst/var/www/html'],
      ['gadgets.example', 'site:gadgets.example', 'home/virtual/site2/fst/var/www/html'],
    ];
    for (const [domain, content, dir] of cases) {
      expectTarHoldsTree(await agentContent('ensim', root, domain, content), join(root, dir));
    }
    for (const [user, file] of [
      ['joe', 'home/virtual/site1/fst/var/spool/mail/joe'],
      ['ann', 'home/virtual/site1/fst/var/spool/mail/ann'],
    ] as const) {
      const out = join(tempDir('enmb'), 'm');
      const r = await runAgent('ensim', [
        `--root=${root}`,
        '--extract=domainContent',
        '--domain-id=widgets.example',
        `--content-id=mailbox:${user}@widgets.example`,
        `--file=${out}`,
      ]);
      expect(r.code).toBe(0);
      const tar = openTar(`${out}.tar`);
      const data = readFileSync(join(root, file));
      expect(tar.files.get(user)?.equals(data)).toBe(true);
      expect(tar.manifest.get(user)).toBe(sha256(data));
    }
  });

  it('refuses a mailbox without a spool', async () => {
    const r = await runAgent('ensim', [
      `--root=${root}`,
      '--extract=domainContent',
      '--domain-id=widgets.example',
      '--content-id=mailbox:widgetadm@widgets.example',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('ensim agent: accountsInfo, domainsInfo and --disable=subscriptions', () => {
  it('answers for asked accounts and domains', async () => {
    const acc = kid(
      await xml(['--extract=accountsInfo', '--account-ids=site2 site9'], 'HostingPlatform.xsd'),
      'accountsInfo',
    );
    expect(kids(kid(acc, 'accounts'), 'account').map((a) => attr(a, 'id'))).toEqual(['site2']);
    expect(kids(acc, 'notFound').map((n) => attr(n, 'id'))).toEqual(['site9']);
    const dom = kid(
      await xml(
        ['--extract=domainsInfo', '--domain-ids=WIDGETS.example nope.example'],
        'HostingPlatform.xsd',
      ),
      'domainsInfo',
    );
    expect(kids(kid(dom, 'subscriptions'), 'subscription').map((s) => attr(s, 'id'))).toEqual(['site1']);
    expect(kids(dom, 'notFound').map((n) => attr(n, 'id'))).toEqual(['nope.example']);
  });

  it('disables the site in its siteinfo snapshot and reports it disabled', async () => {
    const copy = tempDir('endis');
    buildEnsimLayout(copy, layout);
    const bad = await runAgent('ensim', [
      `--root=${copy}`,
      '--disable=subscriptions',
      '--subscription-ids=site2 site7',
    ]);
    expect(bad.code).toBe(1);
    const siteinfo = join(copy, 'home/virtual/site2/info/current/siteinfo');
    expect(readFileSync(siteinfo, 'utf8')).toContain('enabled = 1');
    const r = await runAgent('ensim', [
      `--root=${copy}`,
      '--disable=subscriptions',
      '--subscription-ids=site2',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(schemaErrors(r.stdout, 'HostingPlatform.xsd')).toBe('');
    const after = readFileSync(siteinfo, 'utf8');
    expect(after).toContain('enabled = 0');
    expect(after).toContain("domain = 'gadgets.example'");
    const hp = kid(
      await xml(['--extract=hostingPlatformInfo'], 'HostingPlatform.xsd', copy),
      'hostingPlatform',
    );
    const st = new Map(
      kids(kid(hp, 'subscriptions'), 'subscription').map((s) => [attr(s, 'id'), attr(s, 'status')]),
    );
    expect([st.get('site1'), st.get('site2'), st.get('site3')]).toEqual(['active', 'disabled', 'suspended']);
    const ds = kid(
      await xml(
        ['--extract=domainServicesInfo', '--domain-id=gadgets.example'],
        'PEMDomainServices.xsd',
        copy,
      ),
      'domainServices',
    );
    expect(attr(kid(ds, 'webHosting'), 'enabled')).toBe('false');
    expect(existsSync(MARKER)).toBe(false);
  });
});
