/**
 * The content steps of one domain (pure, part of the plan): one step per content id the agent
 * reported in the domain's services — the web site and each subdomain site (into the webspace's
 * httpdocs), each mailbox (into its Maildir on the mail node). A content step depends on the
 * step that made its place on the target: the webspace comes with the hosting activation (the
 * activating domain's site is the webspace's own httpdocs, published first as a whole; another
 * domain of the subscription goes to the location httpdocs/<domain> after it), a Maildir with
 * its mailbox. A database's dump (when the agent can make one: a content id on the database)
 * goes to the db node after the database step made the database on the target; it is restored
 * into the database the plan names, and brings its users (password hashes) and grants.
 */
import type { DomainServices } from '../../../shared/model/domain-services';
import type { StepPayload } from '../../../shared/model/migration';

export interface ContentPlanInput {
  /** The domain's step id prefix: "<server>/domain/<id>". */
  readonly base: string;
  /** The domain on the target (ASCII). */
  readonly domainName: string;
  readonly sourceDomainId: string;
  readonly services: DomainServices | undefined;
  /** The hosting subscription's step (its ids carry the webspace); undefined: no hosting, no site. */
  readonly webspaceStep: string | undefined;
  /** Whether this domain activated the subscription (its site is the webspace's own). */
  readonly ownsWebspace: boolean;
  /** Lower-cased source address → its mailbox step. */
  readonly mailboxSteps: ReadonlyMap<string, string>;
  /** Ids in a step id are readable but never contain the separator. */
  readonly part: (s: string) => string;
  readonly asciiEmail: (address: string) => string;
}

export interface ContentStepSpec {
  readonly id: string;
  readonly label: string;
  readonly dependsOn: readonly string[];
  readonly payload: Extract<StepPayload, { kind: 'content' }>;
}

export function contentSteps(input: ContentPlanInput): ContentStepSpec[] {
  const out: ContentStepSpec[] = [];
  const { base, domainName, sourceDomainId, part } = input;
  const web = input.services?.webHosting;
  const place = input.webspaceStep;
  if (web && place) {
    // The webspace's own site replaces httpdocs whole, so every other site of the webspace
    // (subdomains, the subscription's other domains) is published after it.
    const ownSite = `${place}/content/site`;
    const domainLocation = input.ownsWebspace ? '' : domainName;
    let siteStep: string | undefined;
    if (web.contentId) {
      siteStep = input.ownsWebspace ? ownSite : `${base}/content/site`;
      out.push({
        id: siteStep,
        label: `site content of ${domainName}`,
        dependsOn: input.ownsWebspace ? [place] : [place, ownSite],
        payload: {
          kind: 'content',
          contentId: web.contentId,
          contentKind: 'site',
          sourceDomainId,
          domainName,
          placeStep: place,
          location: domainLocation,
        },
      });
    }
    for (const sub of web.subdomains) {
      if (!sub.contentId) continue;
      out.push({
        id: `${base}/content/subdomain/${part(sub.name)}`,
        label: `site content of ${sub.hostname}`,
        dependsOn: [place, ownSite, ...(siteStep ? [siteStep] : [])],
        payload: {
          kind: 'content',
          contentId: sub.contentId,
          contentKind: 'site',
          sourceDomainId,
          domainName,
          placeStep: place,
          location: domainLocation === '' ? sub.name : `${domainLocation}/${sub.name}`,
        },
      });
    }
  }
  for (const m of input.services?.mail?.mailboxes ?? []) {
    const mailboxStep = input.mailboxSteps.get(m.address.toLowerCase());
    if (!m.contentId || !mailboxStep) continue;
    out.push({
      id: `${base}/content/mailbox/${part(m.name)}`,
      label: `messages of ${m.address}`,
      dependsOn: [mailboxStep],
      payload: {
        kind: 'content',
        contentId: m.contentId,
        contentKind: 'mailbox',
        sourceDomainId,
        domainName,
        placeStep: mailboxStep,
        name: input.asciiEmail(m.address),
      },
    });
  }
  // The database step's id as plan.ts makes it: one per database of a domain with a
  // subscription, MS SQL excepted (not provisioned).
  for (const db of input.webspaceStep ? (input.services?.databases ?? []) : []) {
    if (!db.contentId || db.type === 'mssql') continue;
    const databaseStep = `${base}/database/${part(db.name)}`;
    out.push({
      id: `${base}/content/database/${part(db.name)}`,
      label: `data of database ${db.name}`,
      dependsOn: [databaseStep],
      payload: {
        kind: 'content',
        contentId: db.contentId,
        contentKind: 'database',
        sourceDomainId,
        domainName,
        placeStep: databaseStep,
        name: db.name,
      },
    });
  }
  return out;
}
