import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POA_ERRORS, type PoaErrorName, isPoaError } from '../../electron/core/target/poa-errors';
import { PoaClient, type PoaStruct } from '../../electron/core/target/poa-client';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { address, customer, freshSandbox, member, phone, rejection } from './fixtures';

const DNS_RT = 9;

/** The refusal a call must end in: status -1 with the named module/extype. */
async function refusal(p: Promise<unknown>, name: PoaErrorName): Promise<string> {
  const e = await rejection(p);
  expect(e.code).toBe('target-error');
  expect({ moduleId: e.moduleId, extypeId: e.extypeId }).toEqual(POA_ERRORS[name]);
  expect(isPoaError(e, name)).toBe(true);
  return e.targetMessage;
}

describe('POA OpenAPI client against the sandbox over HTTP', () => {
  let sandbox: RunningSandbox;
  let poa: PoaClient;
  beforeAll(async () => {
    sandbox = await freshSandbox();
    poa = new PoaClient({ url: sandbox.poaUrl }, { timeoutMs: 5000 });
  });
  afterAll(() => sandbox.close());

  it('provisions an account with its whole tree and reads it back through the getters', async () => {
    const accountId = await poa.addAccount(customer('owner@shop.example'));
    const memberId = await poa.addAccountMember(member(accountId, 'shopowner'));
    expect(memberId).toBeGreaterThan(0);
    const pending = await poa.addSubscription({ account_id: accountId, service_template_id: 11 });
    const subscriptionId = await poa.activateSubscription({
      account_id: accountId,
      service_template_id: 12,
      subscription_name: 'Shop hosting',
      resource_limits: [{ resource_id: 1, resource_limit: 20480 }],
      parameters: [{ var_name: 'domain_name', var_value: 'shop.example' }],
    });
    expect(subscriptionId).not.toBe(pending);
    // Activation with domain_name created the domain and its webspace.
    const shop = await poa.getDomainByName('SHOP.example');
    expect(shop).toMatchObject({ subscription_id: subscriptionId, owner_id: accountId, hosting_type: 0 });
    expect(shop.webspace_id).toBeGreaterThan(0);
    expect(await poa.getSubscriptionWebspaces(subscriptionId)).toEqual([
      { webspace_id: shop.webspace_id, domain_id: shop.domain_id, location: '' },
    ]);
    const parked = await poa.addDomain({
      subscription_id: subscriptionId,
      domain_name: 'shop-alias.example',
      hosting_type: 2,
      domain_parking_type: 1,
      path: 'http://shop.example/',
    });
    expect((await poa.getDomainByName('shop-alias.example')).path).toBe('http://shop.example/');
    const bare = await poa.addDomainToAccount({
      account_id: accountId,
      domain_name: 'bare.example',
      domain_id: 777,
    });
    expect(bare).toBe(777);
    const subId = await poa.addSubdomain({
      subscription_id: subscriptionId,
      domain_name: 'shop.example',
      prefix: 'blog',
    });
    expect(subId).not.toBe(parked);
    await poa.addDnsHosting({ domain_id: shop.domain_id, hosting_rt_id: DNS_RT });
    const www = await poa.createDnsRecord({
      domain_name: 'shop.example',
      host: 'www',
      type: 'A',
      data: '192.0.2.10',
      ttl: 300,
    });
    await poa.createDnsRecord({
      domain_name: 'shop.example',
      host: '@',
      type: 'MX',
      data: '10 mail.shop.example',
    });
    expect(await poa.getDnsRecords('shop.example')).toEqual([
      { record_id: www, host: 'www', type: 'A', data: '192.0.2.10', ttl: 300 },
      { record_id: www + 1, host: '@', type: 'MX', data: '10 mail.shop.example', ttl: 3600 },
    ]);
    await poa.addMailbox({
      subscription_id: subscriptionId,
      name: 'info',
      domain_name: 'shop.example',
      password: 'p&ss',
      password_crypted: false,
      quota: 102400,
    });
    await poa.addMailbox({
      subscription_id: subscriptionId,
      name: 'old',
      domain_name: 'shop.example',
      password: '$1$abcdefgh$0123456789abcdefghijkl',
      password_crypted: true,
      quota: -1,
    });
    await poa.addMailForwarding({
      subscription_id: subscriptionId,
      name: 'sales',
      domain_name: 'shop.example',
      forward_to: 'owner@shop.example',
    });
    await poa.addMailForwarding({
      subscription_id: subscriptionId,
      name: 'sales',
      domain_name: 'shop.example',
      forward_to: 'boss@shop.example',
    });
    await poa.addEmailAddresses('info@shop.example', [{ name: 'contact', domain_name: 'shop.example' }]);
    await poa.createDatabase({ subscription_id: subscriptionId, db_name: 'shop_db', db_type: 'mysql' });
    await poa.createDatabaseUser({
      subscription_id: subscriptionId,
      db_name: 'shop_db',
      login: 'shop_user',
      password: 'dbpw',
    });
    await poa.createFtpUser({
      subscription_id: subscriptionId,
      login: 'shopftp',
      password: 'ftppw',
      home_dir: '/httpdocs',
    });

    expect((await poa.getAccountInfo(accountId)).email).toBe('owner@shop.example');
    expect(await poa.getAccountMemberByLogin('shopowner')).toMatchObject({
      account_id: accountId,
      login: 'shopowner',
    });
    expect((await poa.getAccountSubscriptions(accountId)).map((s) => s.subscription_id)).toEqual([
      pending,
      subscriptionId,
    ]);
    expect(await poa.getSubscription(subscriptionId)).toMatchObject({
      is_active: true,
      st_id: 12,
      name: 'Shop hosting',
      owner_id: accountId,
    });
    expect((await poa.getAccountDomains(accountId)).map((d) => d.domain_name).sort()).toEqual([
      'bare.example',
      'blog.shop.example',
      'shop-alias.example',
      'shop.example',
    ]);
    expect((await poa.getUsers(subscriptionId)).map((u) => u.login)).toEqual([
      'info@shop.example',
      'old@shop.example',
    ]);
    const names = await poa.getMailnames(subscriptionId);
    expect(names.find((n) => n.name === 'info')).toMatchObject({
      mailbox: true,
      quota: 102400,
      aliases: ['contact@shop.example'],
    });
    expect(names.find((n) => n.name === 'sales')).toMatchObject({
      mailbox: false,
      forward_to: ['owner@shop.example', 'boss@shop.example'],
    });
    expect(await poa.getDatabases(subscriptionId)).toEqual([
      { database_id: 1, db_name: 'shop_db', db_type: 'mysql', users: ['shop_user'] },
    ]);
    expect(await poa.getFtpUsers(subscriptionId)).toEqual([
      { ftp_user_id: 1, login: 'shopftp', home_dir: '/httpdocs' },
    ]);

    const state = sandbox.state();
    const boxes = state['mailboxes'] ?? [];
    expect(boxes.map((m) => m['login'])).toEqual(['info@shop.example', 'old@shop.example']);
    expect(boxes[0]?.['password_hash']).not.toContain('p&ss');
    // A crypt is kept as the crypt, flagged as such.
    expect(boxes[1]).toMatchObject({
      password_crypted: true,
      password_hash: '$1$abcdefgh$0123456789abcdefghijkl',
    });
  });

  it('lists service templates and reads one with its resources', async () => {
    const list = await poa.getServiceTemplateList();
    expect(list.length).toBeGreaterThanOrEqual(8);
    expect(list.find((t) => t.id === 18)?.active).toBe(false);
    const st = await poa.getServiceTemplate(13);
    expect(st.name).toBe('Linux Hosting Professional');
    expect(st.resources.map((r) => r.name)).toContain('DNS Hosting');
  });

  it('disables and enables accounts, subscriptions and domains', async () => {
    const accountId = await poa.addAccount(customer('toggle@example.com'));
    const subscriptionId = await poa.activateSubscription({ account_id: accountId, service_template_id: 11 });
    const domainId = await poa.addDomain({ subscription_id: subscriptionId, domain_name: 'toggle.example' });
    await poa.setAccountEnabled(accountId, false);
    await poa.setDomainEnabled(domainId, false);
    expect((await poa.getAccountInfo(accountId)).enabled).toBe(false);
    expect((await poa.getDomainByName('toggle.example')).enabled).toBe(false);
    await poa.setAccountEnabled(accountId, true);
    await poa.setDomainEnabled(domainId, true);
    expect((await poa.getAccountInfo(accountId)).enabled).toBe(true);
    expect((await poa.getDomainByName('toggle.example')).enabled).toBe(true);
  });

  describe('argument validation answers with an XML-RPC fault', () => {
    it('names a missing parameter, an unknown one, and a wrong-typed one with its path', async () => {
      const e = await rejection(poa.call('pem.addDomain', { domain_name: 'x.example' }, 'domain x.example'));
      expect(e.code).toBe('target-fault');
      expect(e.message).toBe(
        "POA pem.addDomain for domain x.example failed: Required parameter 'subscription_id' is missing",
      );
      expect(
        (await rejection(poa.call('pem.getAccountInfo', { account_id: '12' }, 'account 12'))).targetMessage,
      ).toBe("Parameter 'account_id' must be an int, got a string");
      const nested = { ...customer(), person: { first_name: 'A', last_name: 7 } } as unknown as PoaStruct;
      expect((await rejection(poa.call('pem.addAccount', nested, 'account'))).targetMessage).toBe(
        "Parameter 'person.last_name' must be a string, got an int",
      );
      const extra = {
        ...customer('extra@example.com'),
        person: { first_name: 'A', last_name: 'B', nickname: 'x' },
      } as unknown as PoaStruct;
      expect((await rejection(poa.call('pem.addAccount', extra, 'account'))).targetMessage).toBe(
        "Unknown parameter 'person.nickname'",
      );
      expect(
        (
          await rejection(
            poa.call(
              'pem.addAccount',
              { ...customer('x2@example.com'), colour: 'red' } as unknown as PoaStruct,
              'account',
            ),
          )
        ).targetMessage,
      ).toBe("Unknown parameter 'colour'");
    });
    it('refuses invalid values: country codes, domain names, DNS data, forwarding, crypts, quotas', async () => {
      const bad = customer('a@b.example', { address: { ...customer().address, country: 'DE' } });
      expect((await rejection(poa.addAccount(bad))).targetMessage).toContain('two lower-case letters');
      const accountId = await poa.addAccount(customer('valid@example.com'));
      const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 12 });
      expect(
        (await rejection(poa.addDomain({ subscription_id: sub, domain_name: 'bad_name!.example' })))
          .targetMessage,
      ).toContain('not a valid domain name');
      expect(
        (
          await rejection(
            poa.addDomain({
              subscription_id: sub,
              domain_name: 'fw.example',
              hosting_type: 2,
              domain_parking_type: 1,
            }),
          )
        ).targetMessage,
      ).toContain("needs a URL in 'path'");
      expect(
        (
          await rejection(
            poa.addDomain({ subscription_id: sub, domain_name: 'fw.example', domain_parking_type: 1 }),
          )
        ).targetMessage,
      ).toContain('only allowed with hosting_type 2');
      const domainId = await poa.addDomain({ subscription_id: sub, domain_name: 'valid.example' });
      await poa.addDnsHosting({ domain_id: domainId, hosting_rt_id: DNS_RT });
      const ptr = poa.call(
        'pem.createDNSRecord',
        { domain_name: 'valid.example', host: 'x', type: 'PTR', data: 'y' },
        'record',
      );
      expect((await rejection(ptr)).targetMessage).toContain('must be one of A, AAAA');
      expect(
        (
          await rejection(
            poa.createDnsRecord({ domain_name: 'valid.example', host: 'x', type: 'A', data: 'not-an-ip' }),
          )
        ).code,
      ).toBe('target-fault');
      expect(
        (
          await rejection(
            poa.createDnsRecord({
              domain_name: 'valid.example',
              host: '@',
              type: 'MX',
              data: 'mx.valid.example',
            }),
          )
        ).targetMessage,
      ).toContain('<priority> <host>');
      const two = poa.addMailForwarding({
        subscription_id: sub,
        name: 'x',
        domain_name: 'valid.example',
        forward_to: 'a@b.example, c@d.example',
      });
      expect((await rejection(two)).targetMessage).toContain('one e-mail address per call');
      const notCrypt = poa.addMailbox({
        subscription_id: sub,
        name: 'y',
        domain_name: 'valid.example',
        password: 'plain',
        password_crypted: true,
        quota: 10,
      });
      expect((await rejection(notCrypt)).targetMessage).toContain('not a DES or BSD MD5 crypt');
      const noPassword = poa.call(
        'pem.cqmail.addMailbox',
        { subscription_id: sub, name: 'z', quota: 1 },
        'mailbox',
      );
      expect((await rejection(noPassword)).targetMessage).toContain("'password' is missing");
      expect(
        (
          await rejection(
            poa.addMailbox({
              subscription_id: sub,
              name: 'q',
              password: 'x',
              password_crypted: false,
              quota: -5,
            }),
          )
        ).code,
      ).toBe('target-fault');
      expect((await rejection(poa.addDnsHosting({ domain_id: domainId, hosting_rt_id: 0 }))).code).toBe(
        'target-fault',
      );
    });
    it('faults on a method the target does not have', async () => {
      expect((await rejection(poa.call('pem.noSuchMethod', {}, 'x'))).faultCode).toBe(-32601);
    });
  });

  describe('refusals answer status -1 with module_id and extype_id', () => {
    it('unknown account, template, subscription, domain, member, mail name', async () => {
      expect(
        await refusal(poa.addSubscription({ account_id: 987654, service_template_id: 11 }), 'noSuchAccount'),
      ).toBe('Account #987654 does not exist');
      const accountId = await poa.addAccount(customer('st@example.com'));
      expect(
        await refusal(
          poa.activateSubscription({ account_id: accountId, service_template_id: 999 }),
          'noSuchTemplate',
        ),
      ).toBe('Service template #999 does not exist');
      expect(
        await refusal(
          poa.activateSubscription({ account_id: accountId, service_template_id: 18 }),
          'templateInactive',
        ),
      ).toContain('is not active');
      await refusal(
        poa.addMailbox({
          subscription_id: 424242,
          name: 'a',
          password: 'x',
          password_crypted: false,
          quota: 1,
        }),
        'noSuchSubscription',
      );
      await refusal(poa.getDomainByName('missing.example'), 'noSuchDomain');
      expect(POA_ERRORS.noSuchDomain).toEqual({ moduleId: 'dns', extypeId: 10 });
      await refusal(poa.getAccountMemberByLogin('nobody'), 'noSuchMember');
      await refusal(poa.addEmailAddresses('nobody@nowhere.example', [{ name: 'x' }]), 'noSuchMailname');
      await refusal(poa.call('pem.deleteDNSRecord', { record_id: 999999 }, 'record'), 'noSuchDnsRecord');
    });
    it('"already exists": domain (name and id), DNS hosting (dns/2040), record (dns/2061), login, mail name, database, FTP user, subscription id', async () => {
      const accountId = await poa.addAccount(customer('dup@example.com'));
      const sub = await poa.activateSubscription({
        account_id: accountId,
        service_template_id: 12,
        subscription_id: 5555,
      });
      expect(sub).toBe(5555);
      await refusal(
        poa.activateSubscription({ account_id: accountId, service_template_id: 12, subscription_id: 5555 }),
        'subscriptionExists',
      );
      const d = await poa.addDomain({ subscription_id: sub, domain_name: 'dup.example' });
      expect(
        await refusal(poa.addDomain({ subscription_id: sub, domain_name: 'dup.example' }), 'domainExists'),
      ).toBe('Domain dup.example already exists');
      await refusal(
        poa.addDomain({ subscription_id: sub, domain_name: 'other.example', domain_id: d }),
        'domainIdTaken',
      );
      await poa.addDnsHosting({ domain_id: d, hosting_rt_id: DNS_RT });
      await refusal(poa.addDnsHosting({ domain_id: d, hosting_rt_id: DNS_RT }), 'dnsHostingExists');
      expect(POA_ERRORS.dnsHostingExists).toEqual({ moduleId: 'dns', extypeId: 2040 });
      await poa.createDnsRecord({ domain_name: 'dup.example', host: 'www', type: 'A', data: '192.0.2.1' });
      await refusal(
        poa.createDnsRecord({ domain_name: 'dup.example', host: 'www', type: 'A', data: '192.0.2.1' }),
        'dnsRecordExists',
      );
      expect(POA_ERRORS.dnsRecordExists).toEqual({ moduleId: 'dns', extypeId: 2061 });
      await poa.addAccountMember(member(accountId, 'dupuser'));
      expect(await refusal(poa.addAccountMember(member(accountId, 'DupUser')), 'loginTaken')).toBe(
        'Login DupUser is already in use',
      );
      await poa.addMailbox({
        subscription_id: sub,
        name: 'a',
        domain_name: 'dup.example',
        password: 'x',
        password_crypted: false,
        quota: 1,
      });
      await refusal(
        poa.addMailbox({
          subscription_id: sub,
          name: 'a',
          domain_name: 'dup.example',
          password: 'x',
          password_crypted: false,
          quota: 1,
        }),
        'mailnameExists',
      );
      await refusal(
        poa.addEmailAddresses('a@dup.example', [{ name: 'a', domain_name: 'dup.example' }]),
        'mailnameExists',
      );
      await poa.addMailForwarding({
        subscription_id: sub,
        name: 'f',
        domain_name: 'dup.example',
        forward_to: 'z@example.com',
      });
      await refusal(
        poa.addMailForwarding({
          subscription_id: sub,
          name: 'f',
          domain_name: 'dup.example',
          forward_to: 'z@example.com',
        }),
        'mailnameExists',
      );
      await poa.createDatabase({ subscription_id: sub, db_name: 'dupdb', db_type: 'postgresql' });
      await refusal(
        poa.createDatabase({ subscription_id: sub, db_name: 'dupdb', db_type: 'postgresql' }),
        'databaseExists',
      );
      await refusal(
        poa.createDatabaseUser({ subscription_id: sub, db_name: 'nodb', login: 'u1', password: 'p' }),
        'noSuchDatabase',
      );
      await poa.createFtpUser({ subscription_id: sub, login: 'dupftp', password: 'pw' });
      await refusal(
        poa.createFtpUser({ subscription_id: sub, login: 'dupftp', password: 'pw' }),
        'ftpUserExists',
      );
    });
    it('DNS records need DNS hosting; staff, FTP and database passwords must be plain', async () => {
      const accountId = await poa.addAccount(customer('dns@example.com'));
      const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 17 });
      await poa.addDomain({ subscription_id: sub, domain_name: 'nodns.example' });
      expect(
        await refusal(
          poa.createDnsRecord({ domain_name: 'nodns.example', host: '@', type: 'TXT', data: 'v=spf1 -all' }),
          'noDnsHosting',
        ),
      ).toBe('Domain nodns.example has no DNS hosting');
      await refusal(
        poa.createDnsRecord({ domain_name: 'missing.example', host: '@', type: 'TXT', data: 'x' }),
        'noSuchDomain',
      );
      await refusal(
        poa.addAccountMember(member(accountId, 'hashed', '$6$salt$abcdefghijklmnop')),
        'passwordIsHash',
      );
      await refusal(
        poa.createFtpUser({
          subscription_id: sub,
          login: 'hashftp',
          password: '5f4dcc3b5aa765d61d8327deb882cf99',
        }),
        'passwordIsHash',
      );
    });
    it('a refused call changes nothing', async () => {
      const before = (sandbox.state()['accounts'] ?? []).length;
      await rejection(poa.addAccount(customer('x@example.com', { parent_account_id: 55555 })));
      expect((sandbox.state()['accounts'] ?? []).length).toBe(before);
    });
  });

  describe('the remaining account, subscription and mail methods', () => {
    it('setMemberPassword takes plain passwords only; setAccountInfo, setResourceTypeLimit, editMailname change what they name', async () => {
      const accountId = await poa.addAccount(customer('rest@example.com'));
      await poa.addAccountMember(member(accountId, 'restuser'));
      await poa.setMemberPassword('restuser', 'N3w&plain');
      await refusal(poa.setMemberPassword('restuser', '$2y$10$abcdefghijklmnopqrstuv'), 'passwordIsHash');
      await refusal(poa.setMemberPassword('nobody-here', 'x'), 'noSuchMember');
      await poa.call(
        'pem.setAccountInfo',
        {
          account_id: accountId,
          person: { first_name: 'Joan', last_name: 'Roe' },
          address,
          phone,
          email: 'joan@example.com',
        },
        'account',
      );
      expect(await poa.getAccountInfo(accountId)).toMatchObject({
        email: 'joan@example.com',
        person: { first_name: 'Joan', last_name: 'Roe' },
      });
      const sub = await poa.activateSubscription({
        account_id: accountId,
        service_template_id: 12,
        parameters: [{ var_name: 'domain_name', var_value: 'rest.example' }],
      });
      await poa.call(
        'pem.setResourceTypeLimit',
        { subscription_id: sub, resource_type_id: 4, limit: 77 },
        'limit',
      );
      await refusal(
        poa.call(
          'pem.setResourceTypeLimit',
          { subscription_id: sub, resource_type_id: 99, limit: 1 },
          'limit',
        ),
        'noSuchResource',
      );
      const withResources = (await poa.call(
        'pem.getSubscription',
        { subscription_id: sub, get_resources: true },
        'sub',
        true,
      )) as {
        resource_types: { resource_type_id: number; limit: number }[];
      };
      expect(withResources.resource_types.find((r) => r.resource_type_id === 4)?.limit).toBe(77);
      await poa.addMailbox({
        subscription_id: sub,
        name: 'pw',
        domain_name: 'rest.example',
        password: 'old',
        password_crypted: false,
        quota: 1,
      });
      await poa.call(
        'pem.cqmail.editMailname',
        {
          subscription_id: sub,
          domain_name: 'rest.example',
          name: 'pw',
          new_password: '$1$abcdefgh$0123456789abcdefghijkl',
          new_password_is_crypted: true,
        },
        'mail name',
      );
      expect(
        (sandbox.state().mailboxes.find((m) => m['login'] === 'pw@rest.example') ?? {})['password_crypted'],
      ).toBe(true);
      await refusal(
        poa.call(
          'pem.cqmail.editMailname',
          { subscription_id: sub, name: 'nope', new_password: 'x', new_password_is_crypted: false },
          'mail name',
        ),
        'noSuchMailname',
      );
      // A mailname without a domain is an "All-Domains" one: its login names the subscription.
      await poa.addMailbox({
        subscription_id: sub,
        name: 'everywhere',
        password: 'pw',
        password_crypted: false,
        quota: 1,
      });
      expect((await poa.getUsers(sub)).map((u) => u.login)).toContain(`everywhere@sub${sub}.local`);
    });
    it('a domain added to an account has no hosting; a name or id taken is refused', async () => {
      const accountId = await poa.addAccount(customer('bare@example.com'));
      const id = await poa.addDomainToAccount({ account_id: accountId, domain_name: 'bare-only.example' });
      expect(await poa.getDomainByName('bare-only.example')).toMatchObject({
        domain_id: id,
        subscription_id: 0,
        hosting_type: -1,
        owner_id: accountId,
      });
      await refusal(
        poa.addDomainToAccount({ account_id: accountId, domain_name: 'bare-only.example' }),
        'domainExists',
      );
      await refusal(
        poa.addDomainToAccount({ account_id: accountId, domain_name: 'bare-two.example', domain_id: id }),
        'domainIdTaken',
      );
      await refusal(
        poa.addDomainToAccount({ account_id: 4_444_444, domain_name: 'bare-three.example' }),
        'noSuchAccount',
      );
    });
  });
});
