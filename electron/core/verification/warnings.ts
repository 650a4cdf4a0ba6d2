/**
 * The traps real migrations hit (TARGET-API.md, last section), found before anything is
 * created. They warn; they do not block. What the hostingPlatform inventory carries is used
 * directly (CCP and registrar passwords, content references, subdomain names); what only
 * domainServicesInfo knows (mail aliases, service passwords, databases vs web hosting) is read
 * from the optional DomainServicesFacts when it has been fetched.
 */
import type { Account, Domain, Password, Subscription } from '../../../shared/model/inventory';
import type { DomainServicesFacts, ResultReason } from '../../../shared/model/verification';
import { few, reason } from './reason';

const ampersand = (p: Password | undefined): boolean =>
  p !== undefined && !p.crypted && (p.hasAmpersand ?? p.value.includes('&'));

export function accountWarnings(a: Account): ResultReason[] {
  return ampersand(a.ccpLogin?.password)
    ? [
        reason(
          'password-ampersand',
          `The control panel password of ${a.ccpLogin?.login ?? a.id} contains "&", which breaks on the target.`,
        ),
      ]
    : [];
}

export function subscriptionWarnings(s: Subscription): ResultReason[] {
  return ampersand(s.registrarLogin?.password)
    ? [
        reason(
          'registrar-password-ampersand',
          `The registrar password of ${s.registrarLogin?.login ?? s.id} contains "&", which breaks on the target.`,
        ),
      ]
    : [];
}

const NONE: ResultReason[] = [];

export function domainWarnings(d: Domain, facts: DomainServicesFacts | undefined): ResultReason[] {
  // Most domains have nothing to warn about: answer them without allocating.
  if (!facts && d.kind !== 'subdomain' && !d.content.some((c) => c.kind === 'database')) return NONE;
  const out: ResultReason[] = [];
  const wildcards = [
    ...(d.kind === 'subdomain' && d.name.startsWith('*.') ? [d.name] : []),
    ...(facts?.subdomains ?? []).filter((s) => s === '*' || s.startsWith('*.')),
  ];
  if (wildcards.length > 0)
    out.push(
      reason(
        'wildcard-subdomain',
        `${d.name} has wildcard subdomain(s) ${few(wildcards)}: the target answers them only with a wildcard DNS record added by hand.`,
      ),
    );
  const databases = facts
    ? facts.hasWebHosting
      ? []
      : facts.databases
    : d.content.some((c) => c.kind === 'site')
      ? []
      : d.content.filter((c) => c.kind === 'database').map((c) => c.id);
  if (databases.length > 0)
    out.push(
      reason(
        'database-not-linked',
        `${d.name} has database(s) ${few(databases)} but no web site to link them to: they arrive unlinked on the target.`,
      ),
    );
  if (facts && facts.mailAliases.length > 0)
    out.push(
      reason(
        'mail-aliases',
        `${d.name} has ${facts.mailAliases.length} mail alias(es) (${few(facts.mailAliases)}): check they still deliver on the target.`,
      ),
    );
  const amp = facts?.ampersandPasswords ?? [];
  if (amp.length > 0)
    out.push(reason('password-ampersand-domain', `Password(s) of ${few(amp)} on ${d.name} contain "&".`));
  return out;
}
