import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AGENTS,
  agentXml,
  expectContentRefused,
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
  readTree,
  type XNode,
} from '../helpers/layouts/agent-harness';
import {
  buildDescriptionLayout,
  standardDescriptionLayout,
  type DescriptionLayout,
} from '../helpers/layouts/description-layout';

const MARKER = `/tmp/pwned-desc-${process.pid}`;
let root = '';
let layout: DescriptionLayout;

const xml = (args: string[], xsd: string, r0 = root): Promise<XNode> =>
  agentXml('description', [`--root=${r0}`, ...args], xsd);

beforeAll(() => {
  rmSync(MARKER, { force: true });
  root = tempDir('desc');
  layout = standardDescriptionLayout(MARKER);
  buildDescriptionLayout(root, layout);
});

describe('description agent: hostingPlatformInfo', () => {
  let hp: XNode;
  beforeAll(async () => {
    hp = kid(await xml(['--extract=hostingPlatformInfo'], 'HostingPlatform.xsd'), 'hostingPlatform') as XNode;
  });

  it('carries platform, servers and templates, adding virtual ones where the source has none', () => {
    expect(attr(kid(hp, 'platform'), 'kind')).toBe('sphera');
    expect(attr(kid(kid(hp, 'servers'), 'server'), 'roles')).toBe('web mail');
    const t = new Map(kids(kid(hp, 'serviceTemplates'), 'serviceTemplate').map((x) => [attr(x, 'id'), x]));
    expect(attr(t.get('T-basic'), 'virtual')).toBe('false');
    expect(attr(t.get('T-undeclared'), 'virtual')).toBe('true');
    expect(attr(t.get('description-hosting'), 'virtual')).toBe('true');
    const disk = kid(t.get('T-basic'), 'resource');
    expect([
      attr(disk, 'limit'),
      text(kid(disk, 'setupFee')),
      attr(kid(disk, 'setupFee'), 'currency'),
    ]).toEqual(['500', '1.00', 'EUR']);
  });

  it('carries accounts with contacts, address, balance, payment tools; control characters replaced', () => {
    const acc = new Map(kids(kid(hp, 'accounts'), 'account').map((a) => [attr(a, 'id'), a]));
    const c1 = acc.get('C1');
    expect([attr(c1, 'type'), attr(c1, 'parentId'), attr(c1, 'company'), attr(c1, 'created')]).toEqual([
      'customer',
      'R1',
      'Anna & Söhne <GmbH>',
      '2019-01-02',
    ]);
    expect(text(kid(kid(c1, 'ccpLogin'), 'password'))).toBe('pa"ss&<word>');
    expect(attr(kid(kid(c1, 'ccpLogin'), 'password'), 'crypted')).toBe('false');
    expect(attr(kid(kid(c1, 'adminContact'), 'phone'), 'areaCode')).toBe('89');
    expect(attr(kid(c1, 'billingContact'), 'lastName')).toBe('Bill\uFFFDing');
    expect(attr(kid(c1, 'address'), 'city')).toBe('München');
    expect([text(kid(c1, 'balance')), attr(kid(c1, 'balance'), 'currency')]).toEqual(['-3.50', 'EUR']);
    const pt = kid(c1, 'paymentTool');
    expect([attr(pt, 'type'), attr(pt, 'maskedNumber'), textOf(pt, 'encryptedNumber')[0]]).toEqual([
      'creditCard',
      '****4242',
      'ENC:abc',
    ]);
    expect(attr(acc.get('R1'), 'type')).toBe('reseller');
    expect(acc.has(`C2 $(touch\${IFS}${MARKER})`)).toBe(true);
  });

  it('carries subscriptions with dates, periods, fees, registrar login and provided domains', () => {
    const subs = new Map(kids(kid(hp, 'subscriptions'), 'subscription').map((s) => [attr(s, 'id'), s]));
    const s1 = subs.get('S1');
    expect(
      [
        'created',
        'expires',
        'period',
        'periodType',
        'billingPeriod',
        'billingPeriodType',
        'refundPeriod',
        'lastBillingDate',
        'nextBillingDate',
      ].map((k) => attr(s1, k)),
    ).toEqual(['2019-01-02', '2030-01-02', '1', 'year', '1', 'month', '14', '2024-01-02', '2024-02-02']);
    expect(['subscriptionFee', 'setupFee', 'nonRefundableAmount'].map((k) => text(kid(s1, k)))).toEqual([
      '4.99',
      '0.00',
      '1.00',
    ]);
    expect(kids(s1, 'providedDomain').map((d) => attr(d, 'id'))).toEqual(['sphera.example']);
    const s2 = subs.get('S2');
    expect([text(kid(s2, 'renewalFee')), text(kid(s2, 'transferFee'))]).toEqual(['10.00', '7.50']);
    expect([
      attr(kid(s2, 'registrarLogin'), 'login'),
      text(kid(kid(s2, 'registrarLogin'), 'password')),
    ]).toEqual(['anna-reg', 'reg&pw']);
    expect(kids(s2, 'providedDomain').map((d) => attr(d, 'id'))).toEqual([
      'sphera.example',
      'Only-Registration.EXAMPLE.',
    ]);
    expect(attr(subs.get('S3'), 'status')).toBe('expired');
    expect(attr(subs.get(`sub-${layout.hostileDomain}`), 'templateId')).toBe('description-hosting');
  });

  it('carries domains with their subscriptions and content ids; names survive', () => {
    const doms = new Map(kids(kid(hp, 'domains'), 'domain').map((d) => [attr(d, 'id'), d]));
    const d = doms.get('sphera.example');
    expect([attr(d, 'hostingSubscriptionId'), attr(d, 'registrationSubscriptionId')]).toEqual(['S1', 'S2']);
    expect(kids(d, 'content').map((c) => `${attr(c, 'kind')}:${attr(c, 'id')}`)).toEqual([
      'site:sphera.example',
      'mailbox:anna@sphera.example',
      `mailbox:${layout.hostileMailbox}`,
    ]);
    expect(attr(doms.get('Only-Registration.EXAMPLE.'), 'asciiName')).toBe('only-registration.example');
    expect(attr(doms.get('xn--80aa2cb.example'), 'unicodeName')).toBe('ёлка.example');
    expect(attr(doms.get(layout.hostileDomain), 'name')).toBe(layout.hostileDomain);
    expect(existsSync(MARKER)).toBe(false);
  });
});

describe('description agent: domainServicesInfo', () => {
  it('serves DNS from a zone file and web, mail, databases, users and cron from the description', async () => {
    const ds = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=sphera.example'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    const recs = kids(kid(ds, 'dnsZone'), 'record').map(
      (r) => `${attr(r, 'host')} ${attr(r, 'type')} ${attr(r, 'ttl')} ${attr(r, 'data')}`,
    );
    expect(recs).toEqual([
      '@ NS 86400 ns.sphera.example.',
      'ns A 86400 198.51.100.1',
      '@ MX 86400 mx.sphera.example.',
    ]);
    const web = kid(ds, 'webHosting');
    expect([attr(web, 'hostname'), attr(web, 'contentId')]).toEqual([
      'sphera.example',
      'site:sphera.example',
    ]);
    expect(kids(web, 'alias').map((a) => attr(a, 'name'))).toEqual([
      'www.sphera.example',
      '*.sphera.example',
    ]);
    const mail = kid(ds, 'mail');
    const boxes = kids(mail, 'mailbox');
    expect(boxes.map((b) => [attr(b, 'name'), attr(b, 'address'), attr(b, 'contentId')])).toEqual([
      ['anna', 'anna@sphera.example', 'mailbox:anna@sphera.example'],
      [layout.hostileMailbox.split('@')[0], layout.hostileMailbox, `mailbox:${layout.hostileMailbox}`],
    ]);
    expect(attr(boxes[0], 'quotaKb')).toBe('2048');
    expect(attr(kid(boxes[0], 'password'), 'scheme')).toBe('SHA512-CRYPT');
    expect(textOf(kid(mail, 'alias'), 'target')).toEqual(['anna@sphera.example']);
    expect(attr(kid(mail, 'forwarder'), 'keepCopy')).toBe('true');
    const ar = kid(mail, 'autoresponder');
    expect([attr(ar, 'subject'), textOf(ar, 'text')[0]]).toEqual(['Away\uFFFD', 'Back soon.\nAnna & co <3']);
    expect(textOf(kid(mail, 'catchAll'), 'target')).toEqual(['anna@sphera.example']);
    expect(attr(kid(kid(ds, 'database'), 'user'), 'login')).toBe('anna_u');
    expect(attr(kid(ds, 'ftpUser'), 'login')).toBe('anna');
    expect(attr(kid(ds, 'webUser'), 'directory')).toBe('/admin');
    expect(textOf(kid(ds, 'cronJob'), 'command')[0]).toBe('echo "$(date)" >> /tmp/log; rm -rf `pwd`');
  });

  it('keeps hostile domain ids as data', async () => {
    const ds = kid(
      await xml(
        ['--extract=domainServicesInfo', `--domain-id=${layout.hostileDomain}`],
        'PEMDomainServices.xsd',
      ),
      'domainServices',
    );
    expect(attr(ds, 'domainId')).toBe(layout.hostileDomain);
    const recs = kids(kid(ds, 'dnsZone'), 'record');
    expect(attr(recs[0], 'data')).toBe(`v=$(touch\${IFS}${MARKER});"\`x\``);
    expect(existsSync(MARKER)).toBe(false);
  });
});

describe('description agent: domainContent', () => {
  it('packs site and mailbox content with a matching manifest, also for hostile ids', async () => {
    const cases: [string, string, string][] = [
      ['sphera.example', 'site:sphera.example', '/vz/private/101/var/www/sphera.example'],
      ['sphera.example', 'mailbox:anna@sphera.example', '/vz/private/101/var/mail/anna'],
      ['sphera.example', `mailbox:${layout.hostileMailbox}`, '/vz/private/101/var/mail/obrien'],
      [layout.hostileDomain, `site:${layout.hostileDomain}`, '/vz/private/102/www'],
    ];
    for (const [domain, content, dir] of cases) {
      const out = join(tempDir('dc'), 'c.tar');
      const r = await runAgent('description', [
        `--root=${root}`,
        '--extract=domainContent',
        `--domain-id=${domain}`,
        `--content-id=${content}`,
        `--file=${out}`,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(existsSync(`${out}.tar`)).toBe(false);
      expectTarHoldsTree(openTar(out), join(root, dir));
    }
    expect(existsSync(MARKER)).toBe(false);
  });

  it('refuses unknown domains and content ids with one line and no file', async () => {
    await expectContentRefused('description', root, [
      ['nope.example', 'site:nope.example'],
      ['sphera.example', 'site:other.example'],
      ['sphera.example', 'mailbox:ghost@sphera.example'],
    ]);
  });
});

describe('description agent: options and errors', () => {
  it('reads --description=<file> and answers accountsInfo / domainsInfo', async () => {
    const other = tempDir('desc2');
    const file = buildDescriptionLayout(other, layout, 'exports/sphera.json');
    const acc = kid(
      await xml(
        [`--description=${file}`, '--extract=accountsInfo', '--account-ids=C1 ZZ'],
        'HostingPlatform.xsd',
        other,
      ),
      'accountsInfo',
    );
    expect(kids(kid(acc, 'accounts'), 'account').map((a) => attr(a, 'id'))).toEqual(['C1']);
    expect(kids(kid(acc, 'subscriptions'), 'subscription').map((s) => attr(s, 'id'))).toEqual([
      'S1',
      'S2',
      'S3',
    ]);
    expect(kids(acc, 'notFound').map((n) => attr(n, 'id'))).toEqual(['ZZ']);
    const dom = kid(
      await xml(
        [`--description=${file}`, '--extract=domainsInfo', '--domain-ids=ONLY-REGISTRATION.example'],
        'HostingPlatform.xsd',
        other,
      ),
      'domainsInfo',
    );
    expect(kids(kid(dom, 'domains'), 'domain').map((d) => attr(d, 'id'))).toEqual([
      'Only-Registration.EXAMPLE.',
    ]);
    expect(kids(kid(dom, 'subscriptions'), 'subscription').map((s) => attr(s, 'id'))).toEqual(['S2']);
  });

  it('reports a broken description in one line', async () => {
    const bad = tempDir('descbad');
    for (const content of [
      '{ not json',
      JSON.stringify({ accounts: [{ id: 'A' }], domains: [{ id: 'd.example', accountId: 'B' }] }),
    ]) {
      const f = join(bad, 'd.json');
      writeFileSync(f, content);
      const r = await runAgent('description', [
        `--root=${bad}`,
        `--description=${f}`,
        '--extract=hostingPlatformInfo',
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('d.json');
    }
  });

  it('--disable=subscriptions records the subscriptions and reports them disabled', async () => {
    const copy = tempDir('descdis');
    buildDescriptionLayout(copy, layout);
    const r = await runAgent('description', [
      `--root=${copy}`,
      '--disable=subscriptions',
      '--subscription-ids=S1 S2',
      `--file=${join(copy, 'result')}`,
    ]);
    expect(r.code).toBe(0);
    expect(schemaErrors(readTree(copy).get('result.xml') ?? '', 'HostingPlatform.xsd')).toBe('');
    const hp = kid(
      await xml(['--extract=hostingPlatformInfo'], 'HostingPlatform.xsd', copy),
      'hostingPlatform',
    );
    const st = new Map(
      kids(kid(hp, 'subscriptions'), 'subscription').map((s) => [attr(s, 'id'), attr(s, 'status')]),
    );
    expect([st.get('S1'), st.get('S2'), st.get('S3')]).toEqual(['disabled', 'disabled', 'expired']);
  });
});

describe('description agent: the documented example', () => {
  it('serves every command on agents/description/example/root', async () => {
    const ex = join(AGENTS, 'description', 'example', 'root');
    await xml(['--extract=hostingPlatformInfo'], 'HostingPlatform.xsd', ex);
    await xml(['--extract=accountsInfo', '--account-ids=C200 R100'], 'HostingPlatform.xsd', ex);
    await xml(['--extract=domainsInfo', '--domain-ids=acme.example'], 'HostingPlatform.xsd', ex);
    const ds = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=acme.example'], 'PEMDomainServices.xsd', ex),
      'domainServices',
    );
    expect(kids(kid(ds, 'dnsZone'), 'record').length).toBe(6);
    for (const c of ['site:acme.example', 'mailbox:jane@acme.example']) {
      const out = join(tempDir('ex'), 'c');
      const r = await runAgent('description', [
        `--root=${ex}`,
        '--extract=domainContent',
        '--domain-id=acme.example',
        `--content-id=${c}`,
        `--file=${out}`,
      ]);
      expect(r.code).toBe(0);
      const tar = openTar(`${out}.tar`);
      for (const [n, hex] of tar.manifest) expect(sha256(tar.files.get(n) ?? Buffer.alloc(0))).toBe(hex);
      expect(tar.manifest.size).toBeGreaterThan(0);
    }
  });
});
