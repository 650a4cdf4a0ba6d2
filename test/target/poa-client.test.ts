import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoaClient, type PoaStruct } from '../../electron/core/target/poa-client';
import type { RunningSandbox } from '../../electron/core/target/sandbox/sandbox';
import { customer, freshSandbox, member, rejection } from './fixtures';

describe('POA OpenAPI client against the sandbox over HTTP', () => {
  let sandbox: RunningSandbox;
  let poa: PoaClient;
  beforeAll(async () => {
    sandbox = await freshSandbox();
    poa = new PoaClient({ url: sandbox.poaUrl }, { timeoutMs: 5000 });
  });
  afterAll(() => sandbox.close());

  it('provisions an account with its whole tree: member, subscription, domains, DNS, mail, databases, FTP', async () => {
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
    const domainId = await poa.addDomain({
      subscription_id: subscriptionId,
      domain_name: 'shop.example',
      hosting_type: 0,
    });
    const subId = await poa.addSubdomain({
      subscription_id: subscriptionId,
      domain_name: 'shop.example',
      prefix: 'blog',
    });
    expect(subId).not.toBe(domainId);
    await poa.addDnsHosting({ domain_id: domainId, subscription_id: subscriptionId });
    expect(
      await poa.createDnsRecord({
        domain_name: 'shop.example',
        host: 'www',
        type: 'A',
        data: '192.0.2.10',
        ttl: 300,
      }),
    ).toBeGreaterThan(0);
    await poa.createDnsRecord({
      domain_name: 'shop.example',
      host: '@',
      type: 'MX',
      data: '10 mail.shop.example',
    });
    await poa.addMailbox({
      subscription_id: subscriptionId,
      name: 'info',
      domain_name: 'shop.example',
      password: 'p&ss',
      quota: 102400,
    });
    await poa.addMailbox({
      subscription_id: subscriptionId,
      name: 'old',
      password_crypted: '$1$abc$xyz',
      quota: -1,
    });
    await poa.addMailForwarding({
      subscription_id: subscriptionId,
      name: 'sales',
      domain_name: 'shop.example',
      forward_to: 'owner@shop.example',
    });
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

    // The look-ups a resumed migration uses to find what exists already.
    expect((await poa.getAccountInfo(accountId)).email).toBe('owner@shop.example');
    expect(await poa.getAccountMemberByLogin('shopowner')).toMatchObject({
      account_id: accountId,
      login: 'shopowner',
    });
    const subs = await poa.getAccountSubscriptions(accountId);
    expect(subs.map((s) => s.subscription_id)).toEqual([pending, subscriptionId]);
    expect(await poa.getSubscription(subscriptionId)).toMatchObject({
      active: true,
      service_template_id: 12,
      name: 'Shop hosting',
    });
    expect(await poa.getDomainByName('SHOP.example')).toMatchObject({
      domain_id: domainId,
      dns_hosted: true,
    });

    const state = sandbox.state();
    expect(state.dnsRecords).toHaveLength(2);
    expect(state.mailboxes.map((m) => `${m.name}@${m.domain_name}`)).toEqual([
      'info@shop.example',
      'old@shop.example',
    ]);
    expect(state.mailboxes[0]?.password_sha256).not.toContain('p&ss');
    expect(state.databaseUsers[0]?.login).toBe('shop_user');
    expect(state.ftpUsers[0]?.home_dir).toBe('/httpdocs');
  });

  it('lists service templates and reads one with its resources', async () => {
    const list = await poa.getServiceTemplateList();
    expect(list.length).toBeGreaterThanOrEqual(8);
    expect(list.find((t) => t.id === 18)?.active).toBe(false);
    const st = await poa.getServiceTemplate(13);
    expect(st.name).toBe('Linux Hosting Professional');
    expect(st.resources.map((r) => r.name)).toContain('Disk space (MB)');
  });

  it('disables and enables accounts, subscriptions and domains', async () => {
    const accountId = await poa.addAccount(customer('toggle@example.com'));
    const subscriptionId = await poa.activateSubscription({ account_id: accountId, service_template_id: 11 });
    const domainId = await poa.addDomain({ subscription_id: subscriptionId, domain_name: 'toggle.example' });
    await poa.setAccountEnabled(accountId, false);
    await poa.setSubscriptionEnabled(subscriptionId, false);
    await poa.setDomainEnabled(domainId, false);
    expect((await poa.getAccountInfo(accountId)).enabled).toBe(false);
    expect((await poa.getSubscription(subscriptionId)).enabled).toBe(false);
    expect((await poa.getDomainByName('toggle.example')).enabled).toBe(false);
    await poa.setAccountEnabled(accountId, true);
    await poa.setSubscriptionEnabled(subscriptionId, true);
    await poa.setDomainEnabled(domainId, true);
    expect((await poa.getAccountInfo(accountId)).enabled).toBe(true);
    expect((await poa.getDomainByName('toggle.example')).enabled).toBe(true);
  });

  describe('argument validation answers with an XML-RPC fault', () => {
    it('names a missing parameter', async () => {
      const e = await rejection(poa.call('pem.addDomain', { domain_name: 'x.example' }, 'domain x.example'));
      expect(e.code).toBe('target-fault');
      expect(e.targetMessage).toBe("Required parameter 'subscription_id' is missing");
      expect(e.message).toBe(
        "POA pem.addDomain for domain x.example failed: Required parameter 'subscription_id' is missing",
      );
    });
    it('names a wrong-typed parameter, nested ones with their path', async () => {
      const e = await rejection(poa.call('pem.getAccountInfo', { account_id: '12' }, 'account 12'));
      expect(e.targetMessage).toBe("Parameter 'account_id' must be an int, got a string");
      // A wrong type on purpose, so it goes past the typed helper.
      const nested = { ...customer(), person: { first_name: 'A', last_name: 7 } } as unknown as PoaStruct;
      const e2 = await rejection(poa.call('pem.addAccount', nested, 'account'));
      expect(e2.targetMessage).toBe("Parameter 'person.last_name' must be a string, got an int");
    });
    it('refuses invalid values: country codes, domain names, DNS types, addresses', async () => {
      const bad = customer('a@b.example', { address: { ...customer().address, country: 'DE' } });
      expect((await rejection(poa.addAccount(bad))).targetMessage).toContain('two lower-case letters');
      const accountId = await poa.addAccount(customer('valid@example.com'));
      const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 11 });
      expect(
        (await rejection(poa.addDomain({ subscription_id: sub, domain_name: 'bad_name!.example' })))
          .targetMessage,
      ).toContain('not a valid domain name');
      const domainId = await poa.addDomain({ subscription_id: sub, domain_name: 'valid.example' });
      await poa.addDnsHosting({ domain_id: domainId });
      const wrongType = poa.call(
        'pem.createDNSRecord',
        { domain_name: 'valid.example', host: 'x', type: 'PTR', data: 'y' },
        'record',
      );
      expect((await rejection(wrongType)).targetMessage).toContain('must be one of A, AAAA');
      const badIp = poa.createDnsRecord({
        domain_name: 'valid.example',
        host: 'x',
        type: 'A',
        data: 'not-an-ip',
      });
      expect((await rejection(badIp)).code).toBe('target-fault');
    });
    it('faults on a method the target does not have and on a call that is not one struct', async () => {
      expect((await rejection(poa.call('pem.noSuchMethod', {}, 'x'))).faultCode).toBe(-32601);
    });
  });

  describe('refusals answer status != 0 with error_message', () => {
    it('unknown account', async () => {
      const e = await rejection(poa.addSubscription({ account_id: 987654, service_template_id: 11 }));
      expect(e.code).toBe('target-error');
      expect(e.message).toBe(
        'POA pem.addSubscription for subscription of account 987654 failed: Account #987654 does not exist',
      );
    });
    it('unknown and inactive service templates', async () => {
      const accountId = await poa.addAccount(customer('st@example.com'));
      expect(
        (await rejection(poa.activateSubscription({ account_id: accountId, service_template_id: 999 })))
          .targetMessage,
      ).toBe('Service template #999 does not exist');
      expect(
        (await rejection(poa.activateSubscription({ account_id: accountId, service_template_id: 18 })))
          .targetMessage,
      ).toContain('is not active');
    });
    it('duplicate domain, login, mailbox, database', async () => {
      const accountId = await poa.addAccount(customer('dup@example.com'));
      const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 12 });
      await poa.addDomain({ subscription_id: sub, domain_name: 'dup.example' });
      const e = await rejection(poa.addDomain({ subscription_id: sub, domain_name: 'dup.example' }));
      expect(e.code).toBe('target-error');
      expect(e.message).toBe(
        'POA pem.addDomain for domain dup.example failed: Domain dup.example already exists',
      );
      await poa.addAccountMember(member(accountId, 'dupuser'));
      expect((await rejection(poa.addAccountMember(member(accountId, 'dupuser')))).targetMessage).toBe(
        'Login dupuser is already in use',
      );
      await poa.addMailbox({ subscription_id: sub, name: 'a', password: 'x', quota: 1 });
      expect(
        (
          await rejection(
            poa.addMailForwarding({ subscription_id: sub, name: 'a', forward_to: 'z@example.com' }),
          )
        ).targetMessage,
      ).toContain('already exists');
      await poa.createDatabase({ subscription_id: sub, db_name: 'dupdb', db_type: 'postgresql' });
      expect(
        (
          await rejection(
            poa.createDatabase({ subscription_id: sub, db_name: 'dupdb', db_type: 'postgresql' }),
          )
        ).code,
      ).toBe('target-error');
    });
    it('DNS records need DNS hosting; look-ups of missing objects are refusals', async () => {
      const accountId = await poa.addAccount(customer('dns@example.com'));
      const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 17 });
      await poa.addDomain({ subscription_id: sub, domain_name: 'nodns.example' });
      expect(
        (
          await rejection(
            poa.createDnsRecord({
              domain_name: 'nodns.example',
              host: '@',
              type: 'TXT',
              data: 'v=spf1 -all',
            }),
          )
        ).targetMessage,
      ).toBe('Domain nodns.example has no DNS hosting');
      expect((await rejection(poa.getDomainByName('missing.example'))).code).toBe('target-error');
      expect((await rejection(poa.getAccountMemberByLogin('nobody'))).code).toBe('target-error');
    });
    it('a refused call changes nothing', async () => {
      const before = sandbox.state().accounts.length;
      await rejection(poa.addAccount(customer('x@example.com', { parent_account_id: 55555 })));
      expect(sandbox.state().accounts.length).toBe(before);
    });
  });
});
