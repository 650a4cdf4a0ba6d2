/**
 * Reconciliation at the end of a batch: which done steps' objects the target really holds, read
 * through the documented getters and batched — one list per account (PBA subscriptions, POA
 * subscriptions and domains), per subscription (mail names, databases, FTP users) or per zone
 * (DNS records) — so thousands of domains read back in a few calls each.
 */
import type { TargetIds } from '../../../shared/model/migration';
import type { PbaClient } from '../target/pba-client';
import type { PoaClient } from '../target/poa-client';
import { orNothing } from './poa-pba-env';
import type { ReadBackStep } from './read-back-step';
import type { StepContext } from './target-port';

const PARALLEL = 8;

export async function readBack(
  poa: PoaClient,
  pba: PbaClient,
  steps: readonly { step: ReadBackStep; ids: TargetIds }[],
  ctx: StepContext,
): Promise<ReadonlySet<string>> {
  const cache = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, fetch: () => Promise<T>): Promise<T> => {
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) cache.set(key, (p = fetch()));
    return p;
  };
  const num = (ids: TargetIds, key: string): number => Number(ids[key]);
  const idsOf = (step: string): TargetIds => ctx.idsOf(step);
  const pbaSubs = (accountId: number) =>
    once(`pba-subs:${accountId}`, async () => (await orNothing(pba.customerSubscriptions(accountId))) ?? []);
  const poaSubs = (accountId: number) =>
    once(
      `poa-subs:${accountId}`,
      async () => (await orNothing(poa.getAccountSubscriptions(accountId))) ?? [],
    );
  const domains = (accountId: number) =>
    once(`domains:${accountId}`, async () => (await orNothing(poa.getAccountDomains(accountId))) ?? []);
  const records = (name: string) =>
    once(`records:${name}`, async () => (await orNothing(poa.getDnsRecords(name))) ?? []);
  const mailnames = (sub: number) =>
    once(`mail:${sub}`, async () => (await orNothing(poa.getMailnames(sub))) ?? []);
  const databases = (sub: number) =>
    once(`db:${sub}`, async () => (await orNothing(poa.getDatabases(sub))) ?? []);
  const ftpUsers = (sub: number) =>
    once(`ftp:${sub}`, async () => (await orNothing(poa.getFtpUsers(sub))) ?? []);
  const accountOfSubscription = (step: string): number => num(idsOf(step), 'accountId');
  const mailnameHas = async (
    sub: number,
    address: string,
    test: (m: Awaited<ReturnType<typeof mailnames>>[number]) => boolean,
  ) => {
    const [name, domain] = address.toLowerCase().split('@');
    const m = (await mailnames(sub)).find((x) => x.name === name && x.domain_name === (domain ?? ''));
    return m !== undefined && test(m);
  };

  const found = async ({ step, ids }: { step: ReadBackStep; ids: TargetIds }): Promise<boolean> => {
    const p = step.payload;
    switch (p.kind) {
      case 'account':
        return (await orNothing(pba.accountDetailsGet(num(ids, 'accountId')))) !== undefined;
      case 'member':
        return (await orNothing(poa.getAccountMemberByLogin(p.login)))?.member_id === num(ids, 'memberId');
      case 'hosting-subscription': {
        const id = num(ids, 'subscriptionId');
        const accountId = num(ids, 'accountId');
        return (
          (await pbaSubs(accountId)).some((r) => r[0] === id && r[11] === 'PEMGATE') &&
          (await poaSubs(accountId)).some((s) => s.subscription_id === id)
        );
      }
      case 'registration-subscription':
      case 'resource-subscription':
        return (await pbaSubs(num(ids, 'accountId'))).some((r) => r[0] === num(ids, 'subscriptionId'));
      case 'subscription-status': {
        const accountId = accountOfSubscription(p.subscriptionStep);
        const row = (await pbaSubs(accountId)).find((r) => r[0] === num(ids, 'subscriptionId'));
        return row !== undefined && row[9] === num(ids, 'status') && row[10] === num(ids, 'servStatus');
      }
      case 'domain':
        return (await domains(num(ids, 'accountId'))).some((d) => d.domain_id === num(ids, 'domainId'));
      case 'subdomain':
      case 'pointer':
        return (await domains(accountOfSubscription(p.subscriptionStep))).some(
          (d) => d.domain_id === num(ids, 'domainId'),
        );
      case 'dns-hosting': {
        const accountId = num(idsOf(p.domainStep), 'accountId');
        return (await domains(accountId)).some((d) => d.domain_id === num(ids, 'domainId') && d.dns_hosted);
      }
      case 'dns-record':
        return (await records(p.domainName)).some((r) => r.record_id === num(ids, 'recordId'));
      case 'mailbox':
        return mailnameHas(num(ids, 'subscriptionId'), String(ids['login']), (m) => m.mailbox);
      case 'mail-forward':
        return mailnameHas(num(ids, 'subscriptionId'), p.address, (m) =>
          m.forward_to.some((t) => t.toLowerCase() === p.target.toLowerCase()),
        );
      case 'mail-alias':
        return mailnameHas(num(ids, 'subscriptionId'), p.mailboxAddress, (m) =>
          m.aliases.includes(p.alias.address.toLowerCase()),
        );
      case 'database':
        return (await databases(num(ids, 'subscriptionId'))).some(
          (d) => d.database_id === num(ids, 'databaseId'),
        );
      case 'database-user':
        return (await databases(num(ids, 'subscriptionId'))).some(
          (d) => d.db_name === p.databaseName && d.users.includes(p.login),
        );
      case 'ftp-user':
        return (await ftpUsers(num(ids, 'subscriptionId'))).some((u) => u.login === p.user.login);
      case 'payment-tool':
      case 'balance':
        // No documented getter: the id (or the adjustment) the call returned is all there is.
        return Object.keys(ids).length > 0;
      default:
        return false;
    }
  };

  const hits = new Set<string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < steps.length) {
      const item = steps[next++];
      if (item && (await found(item))) hits.add(item.step.id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, steps.length) }, worker));
  return hits;
}
