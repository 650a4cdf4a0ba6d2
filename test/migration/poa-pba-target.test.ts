/**
 * The POA/PBA adapter against a real sandbox over HTTP: every step kind applied, applied again
 * (found, not duplicated), reconciled before its call (absent) and after it (found), waiting on
 * asynchronous requests, refusals with the target's message, failed requests, lost answers,
 * and the read-back at the end of a batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  PlanStep,
  StepOutcome,
  StepPayload,
  SubscriptionTerms,
  TargetIds,
} from '../../shared/model/migration';
import { PbaClient } from '../../electron/core/target/pba-client';
import { PoaClient } from '../../electron/core/target/poa-client';
import { createPoaPbaTarget } from '../../electron/core/migration/poa-pba-target';
import {
  type ProvisioningTarget,
  type StepContext,
  StepFailureError,
  type StepIntent,
} from '../../electron/core/migration/target-port';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { freshSandbox } from '../target/fixtures';

const ASYNC_MS = 120;
const SEALED = 'test-sealed:';

const terms = (id: string, extra: Partial<SubscriptionTerms> = {}): SubscriptionTerms => ({
  sourceSubscriptionId: id,
  name: `Subscription ${id}`,
  status: 'active',
  created: '2023-01-01',
  expires: '2024-01-01',
  period: 1,
  periodType: 'year',
  billingPeriod: 1,
  billingPeriodType: 'month',
  refundPeriod: 30,
  lastBillingDate: '2023-06-01',
  nextBillingDate: '2023-07-01',
  subscriptionFee: { amount: '9.9', currency: 'USD' },
  setupFee: { amount: '0', currency: 'USD' },
  renewalFee: { amount: '9.90', currency: 'USD' },
  nonRefundableAmount: { amount: '1.5', currency: 'USD' },
  ...extra,
});

/** A plan for one account `acme` (server s1): every kind the adapter runs. */
function planFor(tag: string, domain: string): PlanStep[] {
  const base = `s1/account/${tag}`;
  const d = `s1/domain/${domain}`;
  const step = (id: string, payload: StepPayload, dependsOn: string[] = []): PlanStep => ({
    id,
    kind: payload.kind,
    object: {
      kind: id.startsWith(base) ? 'account' : 'domain',
      serverId: 's1',
      id: id.startsWith(base) ? tag : domain,
    },
    label: id,
    dependsOn,
    payload,
  });
  const contact = {
    firstName: 'Wile',
    lastName: 'Coyote',
    email: `wile@${domain}`,
    phone: { countryCode: '1', areaCode: '555', number: '1234' },
  };
  const hosting = `s1/subscription/${tag}-h/hosting`;
  return [
    step(`${base}/account`, {
      kind: 'account',
      accountType: 'customer',
      company: `ACME ${tag}`,
      address: {
        street: 'Main St',
        houseNumber: '1',
        city: 'Springfield',
        zip: '62701',
        country: 'US',
        state: 'IL',
      },
      adminContact: contact,
      sourceKey: `s1:${tag}`,
    }),
    step(`${base}/member`, {
      kind: 'member',
      accountStep: `${base}/account`,
      login: `wile-${tag}`,
      password: { value: `${SEALED}R&D!pw`, crypted: false },
      contact,
    }),
    step(`${base}/pay/0`, {
      kind: 'payment-tool',
      accountStep: `${base}/account`,
      tool: {
        type: 'creditCard',
        holder: 'Wile Coyote',
        cardType: 'visa',
        maskedNumber: '************1111',
        expMonth: '3',
        expYear: '2029',
        default: true,
        encryptedNumber: `${SEALED}4111111111111111`,
      },
    }),
    step(`${base}/balance`, {
      kind: 'balance',
      accountStep: `${base}/account`,
      balance: { amount: '-12.5', currency: 'USD' },
    }),
    step(hosting, {
      kind: 'hosting-subscription',
      accountStep: `${base}/account`,
      poaTemplateId: 12,
      pbaPlanId: 102,
      domainName: domain,
      terms: terms(`${tag}-h`),
    }),
    step(`${d}/dns-hosting`, { kind: 'dns-hosting', domainStep: hosting, domainName: domain }),
    step(`${d}/dns/0`, {
      kind: 'dns-record',
      dnsStep: `${d}/dns-hosting`,
      domainName: domain,
      record: { host: 'www', type: 'A', data: '192.0.2.10', ttl: 300 },
    }),
    step(`${d}/dns/1`, {
      kind: 'dns-record',
      dnsStep: `${d}/dns-hosting`,
      domainName: domain,
      record: { host: '@', type: 'MX', priority: 10, data: `mail.${domain}` },
    }),
    step(`${d}/dns/2`, {
      kind: 'dns-record',
      dnsStep: `${d}/dns-hosting`,
      domainName: domain,
      // Priority already inside the data, as some sources keep it.
      record: { host: '@', type: 'MX', data: `20 backup.${domain}` },
    }),
    step(`${d}/subdomain/blog`, {
      kind: 'subdomain',
      subscriptionStep: hosting,
      domainName: domain,
      subdomain: { name: 'blog', hostname: `blog.${domain}`, aliases: [] },
    }),
    step(`${d}/pointer/www2`, {
      kind: 'pointer',
      subscriptionStep: hosting,
      domainName: domain,
      pointerName: `alias-${domain}`,
    }),
    step(`${d}/mailbox/info`, {
      kind: 'mailbox',
      subscriptionStep: hosting,
      domainName: domain,
      mailbox: {
        name: 'info',
        address: `info@${domain}`,
        password: { value: `${SEALED}p&ss`, crypted: false },
        quotaKb: 102400,
      },
    }),
    step(`${d}/mailbox/old`, {
      kind: 'mailbox',
      subscriptionStep: hosting,
      domainName: domain,
      mailbox: {
        name: 'old',
        address: `old@${domain}`,
        password: { value: '$1$abcdefgh$0123456789abcdefghijkl', crypted: true },
      },
    }),
    step(`${d}/forward/sales/0`, {
      kind: 'mail-forward',
      subscriptionStep: hosting,
      domainName: domain,
      address: `sales@${domain}`,
      target: 'boss@example.com',
    }),
    step(`${d}/alias/contact`, {
      kind: 'mail-alias',
      mailboxStep: `${d}/mailbox/info`,
      domainName: domain,
      mailboxAddress: `info@${domain}`,
      alias: { address: `contact@${domain}`, targets: [`info@${domain}`], keepCopy: false },
    }),
    step(`${d}/database/shop`, {
      kind: 'database',
      subscriptionStep: hosting,
      domainName: domain,
      database: { name: `shop_${tag}`, type: 'mysql' },
    }),
    step(`${d}/database/shop/user/u`, {
      kind: 'database-user',
      databaseStep: `${d}/database/shop`,
      domainName: domain,
      databaseName: `shop_${tag}`,
      login: `u_${tag}`,
      password: { value: `${SEALED}dbpw`, crypted: false },
    }),
    step(`${d}/ftp/f`, {
      kind: 'ftp-user',
      subscriptionStep: hosting,
      domainName: domain,
      user: { login: `ftp-${tag}`, password: { value: `${SEALED}ftppw`, crypted: false }, home: '/httpdocs' },
    }),
    step(`s1/subscription/${tag}-r/registration`, {
      kind: 'registration-subscription',
      accountStep: `${base}/account`,
      pbaPlanId: 201,
      registrarType: 'enom',
      domainName: `reg-${domain}`,
      registrarLogin: 'reseller7',
      terms: terms(`${tag}-r`),
    }),
    step(`${d}/regdomain`, {
      kind: 'domain',
      accountStep: `${base}/account`,
      subscriptionStep: `s1/subscription/${tag}-r/registration`,
      domainName: `reg-${domain}`,
      park: true,
    }),
    step(`${d}/bare`, {
      kind: 'domain',
      accountStep: `${base}/account`,
      domainName: `bare-${domain}`,
      park: false,
    }),
    step(`s1/subscription/${tag}-x/resource`, {
      kind: 'resource-subscription',
      accountStep: `${base}/account`,
      pbaPlanId: 301,
      terms: terms(`${tag}-x`, { name: 'Extra disk' }),
    }),
    step(`${hosting}/status`, {
      kind: 'subscription-status',
      subscriptionStep: hosting,
      status: 'suspended',
    }),
  ];
}

/** Steps of a plan by the end of their ids, in the order asked. */
function pick(steps: readonly PlanStep[], ...suffixes: string[]): (PlanStep | undefined)[] {
  return suffixes.map((x) => steps.find((s) => s.id.endsWith(x)));
}

class Harness {
  readonly outcomes = new Map<string, StepOutcome>();
  readonly intents = new Map<string, StepIntent>();
  readonly controller = new AbortController();
  constructor(
    readonly target: ProvisioningTarget,
    readonly jobId: string,
  ) {}
  get ctx(): StepContext {
    return {
      idsOf: (id) => {
        const o = this.outcomes.get(id);
        if (!o) throw new Error(`step ${id} has no target ids yet`);
        return o.ids;
      },
      unseal: async (v) => (v.startsWith(SEALED) ? v.slice(SEALED.length) : v),
      signal: this.controller.signal,
      jobId: this.jobId,
    };
  }
  async prepare(step: PlanStep, attempt = 1): Promise<StepIntent> {
    const intent = await this.target.prepare(step, attempt, this.ctx);
    this.intents.set(step.id, intent);
    return intent;
  }
  async run(step: PlanStep, attempt = 1): Promise<StepOutcome> {
    const outcome = await this.target.apply(step, await this.prepare(step, attempt), this.ctx);
    this.outcomes.set(step.id, outcome);
    return outcome;
  }
}

async function failure(p: Promise<unknown>): Promise<StepFailureError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(StepFailureError);
  return e as StepFailureError;
}

async function dump(sandbox: RunningSandbox): Promise<Record<string, Record<string, unknown>[]>> {
  const answer = await postXmlRpc({ url: sandbox.poaUrl }, 'sandbox.dump', [{}]);
  if (answer.kind !== 'value') throw new Error('no dump');
  return answer.value as Record<string, Record<string, unknown>[]>;
}

describe('the POA/PBA provisioning target against the sandbox', () => {
  let sandbox: RunningSandbox;
  let target: ProvisioningTarget;
  beforeAll(async () => {
    sandbox = await freshSandbox({ asyncMs: ASYNC_MS });
    const poa = new PoaClient({ url: sandbox.poaUrl }, { timeoutMs: 5000, retries: 0 });
    const pba = new PbaClient({ url: sandbox.pbaUrl }, { timeoutMs: 5000, retries: 0 });
    target = createPoaPbaTarget(
      { poa, pba },
      { pollMs: 20, maxPollMs: 100, nameServers: ['ns1.sandbox.test', 'ns2.sandbox.test'] },
    );
  });
  afterAll(() => sandbox.close());

  it('runs every kind: absent before the call, created (waiting on its request), found after, found again when applied twice', async () => {
    const h = new Harness(target, 'job1');
    const steps = planFor('a1', 'acme.example');
    for (const step of steps) {
      const intent = await h.prepare(step);
      const noLookUp = step.kind === 'payment-tool' || step.kind === 'balance';
      if (!noLookUp) expect(await target.reconcile(step, intent, h.ctx), step.id).toBe('absent');
      const started = Date.now();
      const outcome = await target.apply(step, intent, h.ctx);
      expect(outcome, step.id).toMatchObject({ state: 'done', via: 'call' });
      h.outcomes.set(step.id, outcome);
      // POA steps return only once their request is done.
      if (intent.requestId) {
        expect(intent.requestId).toBe(`mm-job1-${step.id}-1`);
        expect(Date.now() - started).toBeGreaterThanOrEqual(ASYNC_MS - 5);
      }
      if (noLookUp) continue;
      const again = await target.reconcile(step, intent, h.ctx);
      expect(again, step.id).toMatchObject({ state: 'done', ids: outcome.ids });
      expect((again as StepOutcome).via).toBe(intent.requestId ? 'request-status' : 'look-up');
      // Applied twice with the same intent: found, not created again.
      const twice = await target.apply(step, intent, h.ctx);
      expect(twice.ids, step.id).toEqual(outcome.ids);
    }
    const ids = (id: string): TargetIds => h.outcomes.get(id)?.ids ?? {};
    const accountId = ids('s1/account/a1/account')['accountId'];
    expect(accountId).toBeGreaterThanOrEqual(20_000_000);
    expect(ids('s1/subscription/a1-h/hosting')).toMatchObject({
      accountId,
      domainId: expect.any(Number),
      webspaceId: expect.any(Number),
    });

    const state = await dump(sandbox);
    const count = (table: string, test: (r: Record<string, unknown>) => boolean = () => true): number =>
      (state[table] ?? []).filter(test).length;
    expect(count('pba_accounts')).toBe(1);
    expect(count('attributes', (a) => a['value'] === 's1:a1')).toBe(1);
    expect(count('members')).toBe(1);
    expect(count('pay_tools')).toBe(1);
    expect(count('adjustments')).toBe(1);
    expect(state['adjustments']?.[0]).toMatchObject({ amount: '-12.50' });
    expect(count('pba_subscriptions')).toBe(3);
    expect(count('subscriptions')).toBe(2); // the hosting and the registration's DNS subscription
    expect(count('domains')).toBe(5); // acme, blog., alias-, reg-, bare-
    expect(count('dns_records')).toBe(3);
    expect((state['dns_records'] ?? []).map((r) => r['data'])).toContain('20 backup.acme.example');
    expect(count('mailboxes')).toBe(2);
    expect(count('forwardings')).toBe(1);
    expect(count('aliases')).toBe(1);
    expect(count('databases')).toBe(1);
    expect(count('database_users')).toBe(1);
    expect(count('ftp_users')).toBe(1);
    const hostingSub = (state['pba_subscriptions'] ?? []).find((s) => s['gate'] === 'PEMGATE');
    expect(hostingSub).toMatchObject({ status: 80, serv_status: 30, name: 'acme.example' });
    expect(hostingSub?.['fields']).toMatchObject({
      StartDate: Date.UTC(2023, 0, 1) / 1000,
      ExpirationDate: Date.UTC(2024, 0, 1) / 1000,
      Period: 1,
      PeriodType: 3,
      SubscriptionFee: '9.90',
      NonRefundableAmt: '1.50',
      RefundPeriod: 30,
      BillingPeriodType: 2,
      LastBillDate: Date.UTC(2023, 5, 1) / 1000,
    });
    expect((state['domains'] ?? []).find((d) => d['domain_name'] === 'alias-acme.example')).toMatchObject({
      hosting_type: 2,
      domain_parking_type: 1,
      path: 'http://acme.example/',
    });
    expect((state['domains'] ?? []).find((d) => d['domain_name'] === 'reg-acme.example')).toMatchObject({
      hosting_type: 2,
      subscription_id: ids('s1/subscription/a1-r/registration')['subscriptionId'],
    });
    expect((state['mailboxes'] ?? []).find((m) => m['name'] === 'old')).toMatchObject({
      password_crypted: true,
      quota: -1,
    });
    expect(JSON.stringify(state)).not.toContain('4111111111111111');

    // Read back: every done step found; a record removed behind our back is not.
    const done = steps.map((step) => ({ step, ids: ids(step.id) }));
    expect((await target.readBack(done, h.ctx)).size).toBe(steps.length);
    const poa = new PoaClient({ url: sandbox.poaUrl });
    await poa.call(
      'pem.deleteDNSRecord',
      { record_id: Number(ids('s1/domain/acme.example/dns/0')['recordId']) },
      'record',
    );
    const found = await target.readBack(done, h.ctx);
    expect(steps.filter((s) => !found.has(s.id)).map((s) => s.id)).toEqual(['s1/domain/acme.example/dns/0']);
  });

  it('a lost answer: the account created but unanswered is found again and not duplicated; a lost commit is found by its request', async () => {
    const h = new Harness(target, 'job2');
    const [account, hosting, mailbox] = pick(
      planFor('a2', 'lost.example'),
      '/account',
      '/hosting',
      '/mailbox/info',
    );
    if (!account || !hosting || !mailbox) throw new Error('plan');
    sandbox.faults.add({ method: 'AccountWithIDAdd_API', nth: 1, action: 'drop-after' });
    const intent = await h.prepare(account);
    const e = await failure(target.apply(account, intent, h.ctx));
    expect(e.transient).toBe(true);
    // The call happened, the attribute did not: not complete, so absent — and apply finishes it.
    expect(await target.reconcile(account, intent, h.ctx)).toBe('absent');
    const done = await target.apply(account, intent, h.ctx);
    h.outcomes.set(account.id, done);
    expect(done.ids['accountId']).toBe(intent.chosen['accountId']);
    expect((await dump(sandbox))['attributes']?.filter((a) => a['value'] === 's1:a2')).toHaveLength(1);

    await h.run(hosting);
    sandbox.faults.add({ method: 'txn.Commit', nth: 1, action: 'drop-after' });
    const mIntent = await h.prepare(mailbox);
    expect((await failure(target.apply(mailbox, mIntent, h.ctx))).transient).toBe(true);
    const found = await target.reconcile(mailbox, mIntent, h.ctx);
    expect(found).toMatchObject({
      state: 'done',
      via: 'request-status',
      ids: { login: 'info@lost.example' },
    });
  });

  it('a failed request: transient, its objects gone, absent on reconcile, done on the next attempt', async () => {
    const h = new Harness(target, 'job3');
    const [account, hosting, mailbox] = pick(
      planFor('a3', 'fail.example'),
      '/account',
      '/hosting',
      '/mailbox/info',
    );
    if (!account || !hosting || !mailbox) throw new Error('plan');
    await h.run(account);
    await h.run(hosting);
    sandbox.faults.add({
      method: 'pem.cqmail.addMailbox',
      nth: 1,
      action: 'fail-request',
      message: 'Mail node mx01 is down',
    });
    const intent = await h.prepare(mailbox);
    const e = await failure(target.apply(mailbox, intent, h.ctx));
    expect(e).toMatchObject({ transient: true });
    expect(e.message).toBe(`POA request mm-job3-${mailbox.id}-1 failed: Mail node mx01 is down`);
    expect(await target.reconcile(mailbox, intent, h.ctx)).toBe('absent');
    expect(await h.run(mailbox, 2)).toMatchObject({ state: 'done', via: 'call' });
  });

  it('a transaction left open by a dead manager: absent, transient until POA rolls it back, then done', async () => {
    const h = new Harness(target, 'job8');
    const [account, hosting, mailbox] = pick(
      planFor('a8', 'open.example'),
      '/account',
      '/hosting',
      '/mailbox/info',
    );
    if (!account || !hosting || !mailbox) throw new Error('plan');
    await h.run(account);
    await h.run(hosting);
    const intent = await h.prepare(mailbox);
    // What the dead manager left: its transaction begun, the call staged, no commit.
    const poa = new PoaClient({ url: sandbox.poaUrl });
    const txn = await poa.begin({ requestId: intent.requestId ?? '', timeoutSec: 1 });
    const subscriptionId = Number(h.outcomes.get(hosting.id)?.ids['subscriptionId']);
    await poa.addMailbox(
      {
        subscription_id: subscriptionId,
        name: 'info',
        domain_name: 'open.example',
        password: 'pw',
        password_crypted: false,
        quota: 1,
      },
      txn,
    );
    expect(await target.reconcile(mailbox, intent, h.ctx)).toBe('absent');
    const busy = await failure(target.apply(mailbox, intent, h.ctx));
    expect(busy).toMatchObject({
      transient: true,
      message: `Request id ${intent.requestId} is already used`,
    });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await target.apply(mailbox, intent, h.ctx)).toMatchObject({ state: 'done', via: 'call' });
  });

  it('reconcile waits for a request still running', async () => {
    const h = new Harness(target, 'job4');
    const [account, hosting] = pick(planFor('a4', 'slow.example'), '/account', '/hosting');
    if (!account || !hosting) throw new Error('plan');
    await h.run(account);
    sandbox.setAsyncMs(600);
    sandbox.faults.add({ method: 'pem.getRequestStatus', nth: 1, action: 'drop' });
    const intent = await h.prepare(hosting);
    // The first status poll loses its connection: the step fails transiently while the request runs.
    expect((await failure(target.apply(hosting, intent, h.ctx))).transient).toBe(true);
    const started = Date.now();
    const found = await target.reconcile(hosting, intent, h.ctx);
    sandbox.setAsyncMs(ASYNC_MS);
    expect(found).toMatchObject({ state: 'done', via: 'request-status' });
    expect(Date.now() - started).toBeGreaterThan(300);
  });

  it('refusals fail the step with the target own message, not transient', async () => {
    const h = new Harness(target, 'job5');
    const steps = planFor('a5', 'refused.example');
    const [account, hosting] = pick(steps, '/account', '/hosting');
    if (!account || !hosting || hosting.payload.kind !== 'hosting-subscription') throw new Error('plan');
    await h.run(account);
    const wrongPlan: PlanStep = { ...hosting, payload: { ...hosting.payload, pbaPlanId: 301 } };
    const e = await failure(h.run(wrongPlan));
    expect(e).toMatchObject({
      transient: false,
      message: 'Service plan #301 (Extra disk space 1 GB) is not a PEMGATE plan',
    });
    await h.run(hosting);
    const sha512: PlanStep = {
      id: 's1/domain/refused.example/mailbox/x',
      kind: 'mailbox',
      object: hosting.object,
      label: 'mailbox x',
      dependsOn: [],
      payload: {
        kind: 'mailbox',
        subscriptionStep: hosting.id,
        domainName: 'refused.example',
        mailbox: {
          name: 'x',
          address: 'x@refused.example',
          password: { value: '$6$salt$abcdef', crypted: true },
        },
      },
    };
    expect(await failure(h.run(sha512))).toMatchObject({
      transient: false,
      message: "Parameter 'password' is flagged password_crypted but is not a DES or BSD MD5 crypt",
    });
    // Somebody else's domain: refused, and the look-up does not take it for ours.
    const other = new Harness(target, 'job6');
    const [otherAccount] = planFor('a6', 'other.example');
    if (!otherAccount) throw new Error('plan');
    await other.run(otherAccount);
    const steal: PlanStep = {
      ...pick(steps, '/bare')[0]!,
      payload: { kind: 'domain', accountStep: otherAccount.id, domainName: 'refused.example', park: false },
    };
    const stolen = await failure(other.run(steal));
    expect(stolen.message).toBe('Domain refused.example already exists');
  });

  it('an unreachable target fails transiently, naming the call', async () => {
    const dead = createPoaPbaTarget({
      poa: new PoaClient({ url: 'http://127.0.0.1:1/RPC2' }, { retries: 0 }),
      pba: new PbaClient({ url: 'http://127.0.0.1:1/RPC2' }, { retries: 0 }),
    });
    const h = new Harness(dead, 'job7');
    const [account] = planFor('a7', 'dead.example');
    if (!account) throw new Error('plan');
    const e = await failure(h.prepare(account));
    expect(e.transient).toBe(true);
    expect(e.message).toContain('GetAccountListByCustomAttribute_API');
  });
});
