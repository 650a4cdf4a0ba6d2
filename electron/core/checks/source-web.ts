/**
 * Where a source server's web server answers, for the page check: the address set for the
 * server in the check settings when there is one (a source behind NAT, a test server on a
 * port), else the domain's web IP from the inventory on port 80. No guess beyond that: when
 * neither is known the check says so instead of comparing against nothing.
 */
import type { DomainServices } from '../../../shared/model/domain-services';
import { MmError } from '../errors';

export type SourceWebAddress =
  { readonly url: string; readonly from: 'settings' | 'inventory' } | { readonly error: string };

/** "http://host[:port]/" only: the pages' paths are added to it. */
const WEB_URL = /^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?\/?$/;

/** A web address as the settings keep it (with its trailing slash), or an error naming it. */
export function normaliseWebUrl(text: string, where: string): string {
  const t = text.trim();
  if (!WEB_URL.test(t))
    throw new MmError(
      'invalid-input',
      `"${text}" (${where}) is not a web address like http://10.0.0.5:8080/ (scheme, host and port only).`,
      where,
    );
  return t.endsWith('/') ? t : `${t}/`;
}

export function sourceWebAddress(
  serverId: string,
  configured: Readonly<Record<string, string>> | undefined,
  services: DomainServices | undefined,
): SourceWebAddress {
  const set = configured?.[serverId];
  if (set) return { url: set, from: 'settings' };
  const ip = services?.webHosting?.ip;
  if (ip) return { url: `http://${ip.includes(':') ? `[${ip}]` : ip}/`, from: 'inventory' };
  return {
    error: `no web address is known for source server ${serverId} (the inventory names no web IP for ${
      services?.domainName ?? 'this domain'
    }): set one with mm check --source-web ${serverId}=http://host:port`,
  };
}
