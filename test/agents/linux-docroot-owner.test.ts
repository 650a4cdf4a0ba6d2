/**
 * Who owns a site whose docroot is neither owned by a user nor under /home: the user whose home
 * directory holds it (a system user whose home is /var/www/<site>), not one "admin" account.
 * Run against the real linux agent on a laid-out Debian server.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { agentXml, attr, kid, kids, tempDir, type XNode } from '../helpers/layouts/agent-harness';
import { type LinuxLayout, type LinuxSite, buildLinuxLayout } from '../helpers/layouts/linux-layout';

const site = (serverName: string, docRoot: string): LinuxSite => ({
  conf: serverName,
  serverName,
  aliases: [],
  docRoot,
  owner: '',
  files: { 'index.html': `<h1>${serverName}</h1>` },
});

const layout: LinuxLayout = {
  hostname: 'web02.example.net',
  users: [
    // System users (uid < 1000) whose homes are site directories, as many control panels make them.
    { name: 'shopsvc', uid: 998, gid: 998, gecos: 'Shop service', home: '/var/www/shop.test' },
    { name: 'docs', uid: 997, gid: 997, gecos: 'Docs', home: '/srv/sites/docs.test/' },
    // A deeper home inside another's wins for what lies inside it.
    { name: 'shopapi', uid: 996, gid: 996, gecos: 'Shop API', home: '/var/www/shop.test/api' },
  ],
  resellers: [],
  sites: [
    site('shop.test', '/var/www/shop.test/htdocs'),
    site('docs.test', '/srv/sites/docs.test'),
    site('shop-api.test', '/var/www/shop.test/api/public'),
    // Under www-data's home (/var/www) only: the web server's user owns no site.
    site('orphan.test', '/var/www/orphan.test'),
  ],
  zones: [],
  mailDomainsInline: [],
  mailDomainsTable: [],
  mailboxes: [],
  virtualAliases: [],
  crontabs: {},
};

describe('linux agent: owner of a docroot outside /home', () => {
  let owners: Map<string, string | undefined>;
  let accounts: Set<string>;
  beforeAll(async () => {
    const root = tempDir('linux-owner');
    buildLinuxLayout(root, layout);
    const hp = kid(
      await agentXml('linux', [`--root=${root}`, '--extract=hostingPlatformInfo'], 'HostingPlatform.xsd'),
      'hostingPlatform',
    ) as XNode;
    owners = new Map(
      kids(kid(hp, 'domains'), 'domain').map((d) => [attr(d, 'id') ?? '', attr(d, 'accountId')]),
    );
    accounts = new Set(kids(kid(hp, 'accounts'), 'account').map((a) => attr(a, 'id') ?? ''));
  });

  it('gives a site to the system user whose home holds its docroot', () => {
    expect(owners.get('shop.test')).toBe('shopsvc');
    expect(owners.get('docs.test')).toBe('docs');
    expect(accounts).toContain('shopsvc');
    expect(accounts).toContain('docs');
  });

  it('the deepest home wins', () => {
    expect(owners.get('shop-api.test')).toBe('shopapi');
  });

  it('www-data (home /var/www) owns nothing: a site only it could claim stays with admin', () => {
    expect(owners.get('orphan.test')).toBe('admin');
    expect(accounts).not.toContain('www-data');
  });
});
