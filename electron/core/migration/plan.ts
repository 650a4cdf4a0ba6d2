/**
 * The migration plan (SPEC R9, seed "Account migration"): a pure function from inventories,
 * mapping, verification results, domain services and settings to an ordered, deterministic list
 * of steps with stable ids and dependencies. Only what verification approved goes in.
 *
 * Order: resellers before their customers; an account (PBA account, staff member, payment tools,
 * balance) before its domains; per domain the hosting subscription (its activation creates the
 * domain and webspace), DNS hosting and every record, subdomains, pointers, mailboxes, forwards,
 * aliases, databases and their users, FTP users; then registration and resource subscriptions;
 * then the PBA status; then, when the server says so, the source subscriptions disabled.
 * What the target cannot take is a `not-carried` step: named per object, never dropped.
 */
import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import type { DomainServices } from '../../../shared/model/domain-services';
import type { Account, Contact, Domain, Inventory, Subscription } from '../../../shared/model/inventory';
import type { TemplateMapping } from '../../../shared/model/mapping';
import type {
  MigrationObjectRef,
  MigrationPlan,
  PlanObject,
  PlanStep,
  StepPayload,
  SubscriptionTerms,
} from '../../../shared/model/migration';
import { objectKeyOf } from '../../../shared/model/migration';
import type { MigrationSettings } from '../../../shared/model/server';
import type { VerificationResult } from '../../../shared/model/verification';
import { STATUSES } from '../../../shared/statuses';
import { hasHosting, matchTld } from '../mapping/mapping-rules';
import { contentSteps } from './plan-content';
import { mapRecord } from '../ipmap/ip-rules';
import { mappingKey } from '../mapping/mapping-store';
import { resultKey } from '../verification/evaluation';
import { objectKey } from '../verification/input';

export interface PlanServer {
  readonly id: string;
  readonly name: string;
  readonly settings: MigrationSettings;
  readonly inventory: Inventory;
}

export interface PlanSubset {
  /** Account ids (or "<server>:<id>"); their approved domains come with them. */
  readonly accounts?: readonly string[];
  /** Domain names or ids (or "<server>:<id>"); their owner accounts come with them. */
  readonly domains?: readonly string[];
}

export interface PlanInput {
  readonly servers: readonly PlanServer[];
  /** mappingKey(serverId, templateId) → mapping. */
  readonly mappings: ReadonlyMap<string, TemplateMapping>;
  /** resultKey(kind, serverId, id) → verification result. */
  readonly results: ReadonlyMap<string, VerificationResult>;
  /** objectKey(serverId, domainId) → the domain's services (domainServicesInfo). */
  readonly services: ReadonlyMap<string, DomainServices>;
  readonly subset?: PlanSubset;
  /** What the plan was computed from (verification stamp, services revision, subset). */
  readonly basis: string;
  /** Source IP → target IP (core/ipmap): zone records are created with the mapped addresses. */
  readonly ipMap?: ReadonlyMap<string, string>;
}

const migrates = (r: VerificationResult | undefined): boolean =>
  r !== undefined && (STATUSES[r.kind] as Record<string, { migrates: boolean }>)[r.status]?.migrates === true;

/** A short stable tag for a part of a step id that may hold any character. */
function tag(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/** Step id parts are kept readable but never contain the separator. */
const part = (s: string): string => s.replace(/[/\s]/g, '_');

/** A domain name as the target takes it: IDNA ASCII, lower case, no trailing dot. */
export function asciiDomain(name: string): string {
  const bare = name.replace(/\.$/, '');
  return (domainToASCII(bare) || bare).toLowerCase();
}

/** An e-mail address with its domain in ASCII. */
export function asciiEmail(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : `${address.slice(0, at)}@${asciiDomain(address.slice(at + 1))}`;
}

/** Crypt schemes POA takes for mailboxes (password_crypted): DES and BSD MD5 crypt. */
const POA_MAIL_CRYPTS = new Set(['CRYPT', 'DES-CRYPT', 'MD5-CRYPT']);

function asciiContact(c: Contact | undefined): Contact | undefined {
  return c?.email ? { ...c, email: asciiEmail(c.email) } : c;
}

function termsOf(s: Subscription): SubscriptionTerms {
  const optional = <K extends keyof Subscription>(k: K): Partial<Record<K, Subscription[K]>> =>
    s[k] === undefined ? {} : ({ [k]: s[k] } as Partial<Record<K, Subscription[K]>>);
  return {
    sourceSubscriptionId: s.id,
    status: s.status,
    ...optional('name'),
    ...optional('created'),
    ...optional('expires'),
    ...optional('period'),
    ...optional('periodType'),
    ...optional('billingPeriod'),
    ...optional('billingPeriodType'),
    ...optional('refundPeriod'),
    ...optional('lastBillingDate'),
    ...optional('nextBillingDate'),
    ...optional('subscriptionFee'),
    ...optional('setupFee'),
    ...optional('renewalFee'),
    ...optional('transferFee'),
    ...optional('nonRefundableAmount'),
  };
}

interface Builder {
  readonly steps: PlanStep[];
  /** Step id → its position in `steps`: the plan's index, kept for the batch (stepIndexOf). */
  readonly ids: Map<string, number>;
}

/**
 * The index the builder made of each plan it built: the batch needs every step's position, and
 * a second Map of every step cost 770 ms at 10x in the planning profile (issue 19), 17x its 1x.
 */
const builtIndexes = new WeakMap<MigrationPlan, ReadonlyMap<string, number>>();

/** Step id → position in `plan.steps`: the builder's own index for a plan built here, else made now. */
export function stepIndexOf(plan: Pick<MigrationPlan, 'steps'>): ReadonlyMap<string, number> {
  const built = builtIndexes.get(plan as MigrationPlan);
  if (built && built.size === plan.steps.length) return built;
  const index = new Map<string, number>();
  plan.steps.forEach((s, i) => index.set(s.id, i));
  return index;
}

function add(
  b: Builder,
  owner: { steps: string[] },
  object: MigrationObjectRef,
  id: string,
  label: string,
  dependsOn: readonly (string | undefined)[],
  payload: StepPayload,
): string {
  if (b.ids.has(id)) return id;
  b.ids.set(id, b.steps.length);
  const deps = dependsOn.filter((d): d is string => d !== undefined && b.ids.has(d));
  b.steps.push({ id, kind: payload.kind, object, label, dependsOn: deps, payload });
  owner.steps.push(id);
  return id;
}

function notCarried(
  b: Builder,
  owner: { steps: string[] },
  object: MigrationObjectRef,
  base: string,
  what: string,
  reason: string,
): void {
  add(b, owner, object, `${base}/not-carried/${tag(what)}`, `${what}: not carried`, [], {
    kind: 'not-carried',
    what,
    reason,
  });
}

interface Scope {
  /** serverId → account ids to migrate. */
  readonly accounts: Map<string, Set<string>>;
  /** serverId → domain ids to migrate. */
  readonly domains: Map<string, Set<string>>;
}

/**
 * Whether a list of the subset names the object (by id, name, or "<server>:<id>"). The list is
 * a set: asked once per domain and account, a list searched whole each time made a batch of
 * 5,000 domains out of 200,000 cost a billion comparisons.
 */
function matchesSubset(
  subset: ReadonlySet<string> | undefined,
  serverId: string,
  ...names: (string | undefined)[]
): boolean {
  if (!subset) return false;
  return names.some((n) => n !== undefined && (subset.has(n) || subset.has(`${serverId}:${n}`)));
}

function decideScope(input: PlanInput, excluded: MigrationPlan['excluded'][number][]): Scope {
  const accounts = new Map<string, Set<string>>();
  const domains = new Map<string, Set<string>>();
  const subset = input.subset && {
    ...(input.subset.accounts ? { accounts: new Set(input.subset.accounts) } : {}),
    ...(input.subset.domains ? { domains: new Set(input.subset.domains) } : {}),
  };
  const bySubset = subset?.accounts !== undefined || subset?.domains !== undefined;
  for (const s of input.servers) {
    const acc = new Set<string>();
    const dom = new Set<string>();
    const accountById = new Map(s.inventory.accounts.map((a) => [a.id, a]));
    for (const d of s.inventory.domains) {
      const result = input.results.get(resultKey('domain', s.id, d.id));
      if (result === undefined) continue; // not selected: not verified
      const wanted =
        !bySubset ||
        matchesSubset(subset?.domains, s.id, d.id, d.name, d.asciiName) ||
        matchesSubset(subset?.accounts, s.id, d.accountId);
      if (!wanted) continue;
      const ref: MigrationObjectRef = { kind: 'domain', serverId: s.id, id: d.id };
      if (!migrates(result)) {
        excluded.push({ ref, reason: `verification: ${result.status}` });
        continue;
      }
      const owner = input.results.get(resultKey('account', s.id, d.accountId));
      if (!migrates(owner)) {
        excluded.push({ ref, reason: `its account ${d.accountId} is not approved for migration` });
        continue;
      }
      dom.add(d.id);
      // Resellers come with their customers: the customer cannot exist without its parent.
      for (let a = accountById.get(d.accountId); a; a = a.parentId ? accountById.get(a.parentId) : undefined)
        acc.add(a.id);
    }
    // Accounts asked for by themselves (even with no domain to move) when they verified.
    for (const a of s.inventory.accounts) {
      if (bySubset && !matchesSubset(subset?.accounts, s.id, a.id)) continue;
      if (acc.has(a.id)) continue;
      const r = input.results.get(resultKey('account', s.id, a.id));
      if (r && migrates(r)) acc.add(a.id);
      else if (r)
        excluded.push({
          ref: { kind: 'account', serverId: s.id, id: a.id },
          reason: `verification: ${r.status}`,
        });
    }
    accounts.set(s.id, acc);
    domains.set(s.id, dom);
  }
  return { accounts, domains };
}

/** Parents before children, then source order: a reseller's customers follow it. */
function accountOrder(inv: Inventory, ids: ReadonlySet<string>): Account[] {
  const byId = new Map(inv.accounts.map((a) => [a.id, a]));
  const out: Account[] = [];
  const seen = new Set<string>();
  const visit = (a: Account): void => {
    if (seen.has(a.id)) return;
    seen.add(a.id);
    const parent = a.parentId ? byId.get(a.parentId) : undefined;
    if (parent && ids.has(parent.id)) visit(parent);
    out.push(a);
  };
  for (const a of inv.accounts) if (ids.has(a.id)) visit(a);
  return out;
}

function planAccount(
  b: Builder,
  server: PlanServer,
  a: Account,
  owner: PlanObject & { steps: string[] },
): void {
  const ref = owner.ref;
  const base = `${part(server.id)}/account/${part(a.id)}`;
  const parentStep = a.parentId ? `${part(server.id)}/account/${part(a.parentId)}/account` : undefined;
  // PBA needs a country: where the source keeps none, the server's default country (R8 setting).
  const country = a.address?.country || server.settings.defaultCountry || undefined;
  const address = country ? { ...(a.address ?? {}), country } : a.address;
  const accountStep = add(b, owner, ref, `${base}/account`, `account ${a.company ?? a.id}`, [parentStep], {
    kind: 'account',
    accountType: a.type,
    ...(parentStep && b.ids.has(parentStep) ? { parentStep } : {}),
    ...(a.company !== undefined ? { company: a.company } : {}),
    ...(address ? { address } : {}),
    ...(a.adminContact ? { adminContact: asciiContact(a.adminContact) as Contact } : {}),
    ...(a.technicalContact ? { technicalContact: asciiContact(a.technicalContact) as Contact } : {}),
    ...(a.billingContact ? { billingContact: asciiContact(a.billingContact) as Contact } : {}),
    sourceKey: `${server.id}:${a.id}`,
  });
  const login = a.ccpLogin;
  if (login) {
    if (!login.password || login.password.crypted) {
      notCarried(
        b,
        owner,
        ref,
        base,
        `staff member ${login.login}`,
        login.password
          ? 'the source keeps only a hash of the control panel password and the target takes plain passwords only: set a new one on the target'
          : 'the source has no control panel password for it',
      );
    } else {
      add(b, owner, ref, `${base}/member`, `staff member ${login.login}`, [accountStep], {
        kind: 'member',
        accountStep,
        login: login.login,
        password: login.password,
        ...(a.adminContact ? { contact: asciiContact(a.adminContact) as Contact } : {}),
      });
    }
  }
  a.paymentTools.forEach((tool, i) => {
    const what = `payment tool ${tool.cardType ?? tool.type} ${tool.maskedNumber ?? ''}`.trim();
    if (tool.type !== 'creditCard') {
      notCarried(
        b,
        owner,
        ref,
        `${base}/pay/${i}`,
        what,
        'the target has no documented call for this kind of payment tool',
      );
    } else if (!tool.encryptedNumber) {
      notCarried(
        b,
        owner,
        ref,
        `${base}/pay/${i}`,
        what,
        'the source keeps the card number masked only: a card cannot be recreated without it',
      );
    } else {
      add(b, owner, ref, `${base}/pay/${i}`, what, [accountStep], {
        kind: 'payment-tool',
        accountStep,
        tool,
      });
    }
  });
  if (a.balance && Number(a.balance.amount) !== 0) {
    add(
      b,
      owner,
      ref,
      `${base}/balance`,
      `balance ${a.balance.amount} ${a.balance.currency}`,
      [accountStep],
      {
        kind: 'balance',
        accountStep,
        balance: a.balance,
      },
    );
  }
}

interface DomainContext {
  readonly b: Builder;
  readonly server: PlanServer;
  readonly domain: Domain;
  readonly owner: PlanObject & { steps: string[] };
  readonly accountStep: string;
  readonly subs: ReadonlyMap<string, Subscription>;
  readonly mappings: ReadonlyMap<string, TemplateMapping>;
  readonly result: VerificationResult;
  readonly services: DomainServices | undefined;
  readonly ipMap: ReadonlyMap<string, string> | undefined;
  /** Hosting subscription id → the step that activated it (first domain wins). */
  readonly activated: Map<string, string>;
}

function planDomain(c: DomainContext): void {
  const { b, server, domain: d, owner } = c;
  const ref = owner.ref;
  // The target takes names in ASCII (IDNA): bäckerei.test is xn--bckerei-cxa.test there.
  const domainName = asciiDomain(d.asciiName ?? d.name);
  const base = `${part(server.id)}/domain/${part(d.id)}`;
  const sv = part(server.id);
  const plan = c.result.plan;
  const mappingOf = (s: Subscription): TemplateMapping | undefined =>
    c.mappings.get(mappingKey(server.id, s.templateId));
  const hosting = plan?.hosting ? c.subs.get(plan.hosting) : undefined;
  const hostingMap = hosting ? mappingOf(hosting) : undefined;

  // 1. Hosting: the PEMGATE subscription whose activation creates the domain and its webspace.
  // A subscription with several domains is activated by its first migrated one; the others are
  // added to it as domains.
  let subscriptionStep: string | undefined;
  let domainStep: string;
  if (
    hosting &&
    hostingMap &&
    hasHosting(hostingMap.class) &&
    hostingMap.poaTemplateId !== undefined &&
    hostingMap.pbaPlanId !== undefined
  ) {
    const existing = c.activated.get(hosting.id);
    if (existing) {
      subscriptionStep = existing;
      domainStep = add(b, owner, ref, `${base}/domain`, `domain ${d.name}`, [c.accountStep, existing], {
        kind: 'domain',
        accountStep: c.accountStep,
        subscriptionStep: existing,
        domainName,
        park: false,
      });
    } else {
      subscriptionStep = add(
        b,
        owner,
        ref,
        `${sv}/subscription/${part(hosting.id)}/hosting`,
        `hosting subscription ${hosting.name ?? hosting.id} (${d.name})`,
        [c.accountStep],
        {
          kind: 'hosting-subscription',
          accountStep: c.accountStep,
          poaTemplateId: hostingMap.poaTemplateId,
          pbaPlanId: hostingMap.pbaPlanId,
          domainName,
          terms: termsOf(hosting),
        },
      );
      c.activated.set(hosting.id, subscriptionStep);
      domainStep = subscriptionStep;
    }
  } else {
    // No hosting: a registration-only (parked when the server offers it) or bare domain.
    const registration = plan?.registration ? c.subs.get(plan.registration) : undefined;
    const regStep = registration ? registrationStep(c, registration) : undefined;
    domainStep = add(b, owner, ref, `${base}/domain`, `domain ${d.name}`, [c.accountStep, regStep], {
      kind: 'domain',
      accountStep: c.accountStep,
      ...(regStep ? { subscriptionStep: regStep } : {}),
      domainName,
      park: plan?.park ?? false,
    });
  }

  // 2. Services, from domainServicesInfo.
  const s = c.services;
  if (s?.dnsZone) {
    const dns = add(b, owner, ref, `${base}/dns-hosting`, `DNS hosting of ${d.name}`, [domainStep], {
      kind: 'dns-hosting',
      domainStep,
      domainName,
    });
    s.dnsZone.records.forEach((record, i) => {
      // SOA and the zone's own NS records belong to the target's name servers.
      if (record.type === 'SOA' || (record.type === 'NS' && record.host === '@')) return;
      // The step id stays the source record's, so a changed IP map never renames done steps.
      add(
        b,
        owner,
        ref,
        `${base}/dns/${i}-${tag(`${record.host} ${record.type} ${record.data}`)}`,
        `${record.type} record ${record.host} of ${d.name}`,
        [dns],
        {
          kind: 'dns-record',
          dnsStep: dns,
          domainName,
          record: c.ipMap ? mapRecord(record, c.ipMap) : record,
        },
      );
    });
  }
  const web = s?.webHosting;
  if (web && subscriptionStep) {
    for (const sub of web.subdomains) {
      add(b, owner, ref, `${base}/subdomain/${part(sub.name)}`, `subdomain ${sub.hostname}`, [domainStep], {
        kind: 'subdomain',
        subscriptionStep,
        domainName,
        subdomain: { ...sub, hostname: asciiDomain(sub.hostname) },
      });
    }
    for (const alias of web.aliases) {
      if (alias.startsWith('*')) {
        notCarried(
          b,
          owner,
          ref,
          base,
          `wildcard alias ${alias}`,
          'POA has no wildcard pointer; add DNS forwarding by hand',
        );
        continue;
      }
      add(b, owner, ref, `${base}/pointer/${part(alias)}`, `pointer ${alias}`, [domainStep], {
        kind: 'pointer',
        subscriptionStep,
        domainName,
        pointerName: asciiDomain(alias),
      });
    }
    if (web.ssl?.hasCertificate)
      notCarried(
        b,
        owner,
        ref,
        base,
        `SSL certificate of ${d.name}`,
        'pem.importCertificate has no documented parameters: import the certificate by hand',
      );
  }
  const mail = s?.mail;
  const mailboxSteps = new Map<string, string>();
  if (mail && subscriptionStep) {
    for (const m of mail.mailboxes) {
      // POA takes a DES or MD5 crypt, or a plain password; any other crypt cannot be carried:
      // the mailbox is made with a fresh random password (never stored) and a reset is named.
      const pw = m.password;
      const carried = pw && (!pw.crypted || POA_MAIL_CRYPTS.has((pw.scheme ?? 'CRYPT').toUpperCase()));
      if (!carried)
        notCarried(
          b,
          owner,
          ref,
          base,
          `password of mailbox ${m.address}`,
          pw
            ? `the source keeps a ${pw.scheme ?? 'crypt'} hash and POA takes DES or MD5 crypts only: the mailbox gets a random password, set a new one`
            : 'the source has no password for it: the mailbox gets a random password, set a new one',
        );
      const { password: _dropped, ...rest } = m;
      const mailbox = { ...rest, address: asciiEmail(m.address), ...(carried && pw ? { password: pw } : {}) };
      const id = add(b, owner, ref, `${base}/mailbox/${part(m.name)}`, `mailbox ${m.address}`, [domainStep], {
        kind: 'mailbox',
        subscriptionStep,
        domainName,
        mailbox,
      });
      mailboxSteps.set(m.address.toLowerCase(), id);
    }
    for (const f of mail.forwarders) {
      for (const target of f.targets) {
        add(
          b,
          owner,
          ref,
          `${base}/forward/${part(f.address)}/${tag(target)}`,
          `forward ${f.address} → ${target}`,
          [domainStep, mailboxSteps.get(f.address.toLowerCase())],
          { kind: 'mail-forward', subscriptionStep, domainName, address: f.address, target },
        );
      }
    }
    for (const a of mail.aliases) {
      const target = a.targets[0];
      const mailboxStep = target ? mailboxSteps.get(target.toLowerCase()) : undefined;
      if (!target || !mailboxStep || a.targets.length > 1) {
        notCarried(
          b,
          owner,
          ref,
          base,
          `mail alias ${a.address}`,
          'an extra address of one mailbox is all the target can take; this alias points elsewhere',
        );
        continue;
      }
      add(
        b,
        owner,
        ref,
        `${base}/alias/${part(a.address)}`,
        `alias ${a.address} → ${target}`,
        [mailboxStep],
        {
          kind: 'mail-alias',
          mailboxStep,
          domainName,
          mailboxAddress: asciiEmail(target),
          alias: { ...a, address: asciiEmail(a.address), targets: a.targets.map(asciiEmail) },
        },
      );
    }
    for (const r of mail.autoresponders)
      notCarried(b, owner, ref, base, `autoresponder ${r.address}`, 'the target has no autoresponder method');
    if (mail.catchAll && mail.catchAll.length > 0)
      notCarried(b, owner, ref, base, `catch-all of ${d.name}`, 'the target has no catch-all method');
  }
  if (s && subscriptionStep) {
    for (const db of s.databases) {
      if (db.type === 'mssql') {
        notCarried(
          b,
          owner,
          ref,
          base,
          `database ${db.name}`,
          'MS SQL databases are not provisioned by this target',
        );
        continue;
      }
      const { users, ...database } = db;
      const dbStep = add(
        b,
        owner,
        ref,
        `${base}/database/${part(db.name)}`,
        `database ${db.name}`,
        [domainStep],
        {
          kind: 'database',
          subscriptionStep,
          domainName,
          database,
        },
      );
      for (const u of users) {
        if (!u.password || u.password.crypted) {
          // The database's dump (its content step, plan-content.ts) recreates the user from its
          // hash on the db node: carried, not by the API (which takes plain passwords only).
          if (db.contentId) continue;
          notCarried(
            b,
            owner,
            ref,
            base,
            `database user ${u.login}`,
            'the source keeps only a hash of the password and the target takes plain passwords only',
          );
          continue;
        }
        add(
          b,
          owner,
          ref,
          `${base}/database/${part(db.name)}/user/${part(u.login)}`,
          `database user ${u.login}`,
          [dbStep],
          {
            kind: 'database-user',
            databaseStep: dbStep,
            domainName,
            databaseName: db.name,
            login: u.login,
            password: u.password,
          },
        );
      }
    }
    for (const f of s.ftpUsers) {
      if (!f.password || f.password.crypted) {
        notCarried(
          b,
          owner,
          ref,
          base,
          `FTP user ${f.login}`,
          'the source keeps only a hash of the password and the target takes plain passwords only',
        );
        continue;
      }
      add(b, owner, ref, `${base}/ftp/${part(f.login)}`, `FTP user ${f.login}`, [domainStep], {
        kind: 'ftp-user',
        subscriptionStep,
        domainName,
        user: f,
      });
    }
    for (const w of s.webUsers)
      notCarried(
        b,
        owner,
        ref,
        base,
        `web user ${w.login}`,
        'the target has no method for protected directories',
      );
    if (s.cronJobs.length > 0)
      notCarried(
        b,
        owner,
        ref,
        base,
        `${s.cronJobs.length} cron job(s)`,
        'the target has no method for cron jobs',
      );
  }

  // Content (sites, mailboxes): plan-content.ts.
  for (const x of contentSteps({
    base,
    domainName,
    sourceDomainId: d.id,
    services: s,
    webspaceStep: subscriptionStep,
    ownsWebspace: subscriptionStep === domainStep,
    mailboxSteps,
    part,
    asciiEmail,
  }))
    add(b, owner, ref, x.id, x.label, x.dependsOn, x.payload);

  // 3. Registration and resource subscriptions (PBA).
  const subscriptionSteps: { step: string; sub: Subscription }[] = [];
  if (
    subscriptionStep &&
    hosting &&
    c.activated.get(hosting.id) === subscriptionStep &&
    owner.steps.includes(subscriptionStep)
  )
    subscriptionSteps.push({ step: subscriptionStep, sub: hosting });
  const registration = plan?.registration ? c.subs.get(plan.registration) : undefined;
  if (registration) {
    const reg = registrationStep(c, registration);
    if (reg) subscriptionSteps.push({ step: reg, sub: registration });
  }
  for (const id of plan?.resources ?? []) {
    const r = c.subs.get(id);
    const m = r ? mappingOf(r) : undefined;
    if (!r || !m || m.pbaPlanId === undefined) continue;
    const step = add(
      b,
      owner,
      ref,
      `${sv}/subscription/${part(r.id)}/resource`,
      `resource subscription ${r.name ?? r.id}`,
      [c.accountStep],
      {
        kind: 'resource-subscription',
        accountStep: c.accountStep,
        pbaPlanId: m.pbaPlanId,
        terms: termsOf(r),
      },
    );
    subscriptionSteps.push({ step, sub: r });
  }

  // 4. The PBA status, once everything of the domain is there; 5. the source disabled.
  const before = [...owner.steps];
  const statusSteps = subscriptionSteps.map(({ step, sub }) =>
    add(b, owner, ref, `${step}/status`, `status of subscription ${sub.name ?? sub.id}`, before, {
      kind: 'subscription-status',
      subscriptionStep: step,
      status: sub.status,
    }),
  );
  if (server.settings.disableAfterMigration && subscriptionSteps.length > 0) {
    add(
      b,
      owner,
      ref,
      `${base}/source-disable`,
      `disable ${d.name}'s subscriptions on ${server.name}`,
      [...before, ...statusSteps],
      {
        kind: 'source-disable',
        subscriptionIds: subscriptionSteps.map((s) => s.sub.id),
      },
    );
  }
}

function registrationStep(c: DomainContext, registration: Subscription): string | undefined {
  const m = c.mappings.get(mappingKey(c.server.id, registration.templateId));
  const tld = m ? matchTld(c.domain.name, m.tlds) : undefined;
  if (!tld) return undefined;
  const id = `${part(c.server.id)}/subscription/${part(registration.id)}/registration`;
  // Asked twice for a domain without hosting (its domain step, then its subscriptions): the
  // step is there already, and its payload need not be made again to be thrown away by add.
  if (c.b.ids.has(id)) return id;
  return add(
    c.b,
    c.owner,
    c.owner.ref,
    id,
    `registration subscription of ${c.domain.name}`,
    [c.accountStep],
    {
      kind: 'registration-subscription',
      accountStep: c.accountStep,
      pbaPlanId: tld.pbaPlanId,
      registrarType: tld.registrarType,
      domainName: asciiDomain(c.domain.asciiName ?? c.domain.name),
      ...(registration.registrarLogin ? { registrarLogin: registration.registrarLogin.login } : {}),
      terms: termsOf(registration),
    },
  );
}

export function buildPlan(input: PlanInput): MigrationPlan {
  const excluded: MigrationPlan['excluded'][number][] = [];
  const scope = decideScope(input, excluded);
  const b: Builder = { steps: [], ids: new Map() };
  const objects: (PlanObject & { steps: string[]; related: string[] })[] = [];
  for (const server of input.servers) {
    const inv = server.inventory;
    const accountIds = scope.accounts.get(server.id) ?? new Set<string>();
    const domainIds = scope.domains.get(server.id) ?? new Set<string>();
    const subs = new Map(inv.subscriptions.map((s) => [s.id, s]));
    const domainsByAccount = new Map<string, Domain[]>();
    for (const d of inv.domains) {
      if (!domainIds.has(d.id)) continue;
      const list = domainsByAccount.get(d.accountId) ?? [];
      list.push(d);
      domainsByAccount.set(d.accountId, list);
    }
    const activated = new Map<string, string>();
    for (const a of accountOrder(inv, accountIds)) {
      const aRef: MigrationObjectRef = { kind: 'account', serverId: server.id, id: a.id };
      const domains = domainsByAccount.get(a.id) ?? [];
      const accountObject = {
        ref: aRef,
        name: a.company ?? a.id,
        related: domains.map((d) => objectKeyOf({ kind: 'domain', serverId: server.id, id: d.id })),
        steps: [] as string[],
      };
      objects.push(accountObject);
      planAccount(b, server, a, accountObject);
      const accountStep = `${part(server.id)}/account/${part(a.id)}/account`;
      for (const d of domains) {
        const dRef: MigrationObjectRef = { kind: 'domain', serverId: server.id, id: d.id };
        const domainObject = { ref: dRef, name: d.name, related: [objectKeyOf(aRef)], steps: [] as string[] };
        objects.push(domainObject);
        planDomain({
          b,
          server,
          domain: d,
          owner: domainObject,
          accountStep,
          subs,
          mappings: input.mappings,
          result: input.results.get(resultKey('domain', server.id, d.id)) as VerificationResult,
          services: input.services.get(objectKey(server.id, d.id)),
          ipMap: input.ipMap,
          activated,
        });
      }
    }
  }
  const fingerprint = createHash('sha256')
    .update(input.basis)
    .update('\n')
    .update(JSON.stringify(b.steps.map((s) => s.id)))
    .digest('hex');
  const plan: MigrationPlan = { fingerprint, steps: b.steps, objects, excluded };
  builtIndexes.set(plan, b.ids);
  return plan;
}
