/**
 * The sandbox's own target nodes, under its data dir: a web node (`nodes/web/vhosts`, laid
 * out as ../shared/TARGET-API.md says: `<vhosts root>/<webspace id>/webspace/httpdocs/
 * <location>/`) and a mail node (`nodes/mail`, a Maildir per mailbox). The manager reaches
 * them on this machine, so a sandbox needs no SSH server to be a complete target; it learns
 * where they are from the sandbox-only call `sandbox.nodes`. The web server serves each
 * domain's site from its webspace, chosen by the Host header.
 */
import { join, resolve } from 'node:path';
import type { View } from './store';

export interface SandboxNodes {
  readonly web: { readonly root: string };
  readonly mail: { readonly root: string };
}

export function sandboxNodes(dataDir: string): SandboxNodes {
  const base = resolve(dataDir, 'nodes');
  return { web: { root: join(base, 'web', 'vhosts') }, mail: { root: join(base, 'mail') } };
}

/** The document root of a host's site on the web node, when the host is a domain with a webspace. */
export function nodeSiteRoot(store: View, dataDir: string, host: string): string | undefined {
  const domain = store.unique<{
    domain_id: number;
    domain_name: string;
    webspace_id?: number;
    subscription_id?: number;
    parent_domain_id?: number;
  }>('domains', 'name', host);
  if (!domain) return undefined;
  const httpdocs = (ws: number): string =>
    join(sandboxNodes(dataDir).web.root, String(ws), 'webspace', 'httpdocs');
  // The domain that activated the subscription owns the webspace: its site is httpdocs. Another
  // domain of the subscription lives in the webspace's location httpdocs/<domain>; a subdomain
  // in its parent's site folder, under its prefix.
  if (domain.webspace_id) return httpdocs(domain.webspace_id);
  if (domain.parent_domain_id) {
    const parent = store.get<{ domain_name: string }>('domains', domain.parent_domain_id);
    const prefix = parent ? domain.domain_name.slice(0, -(parent.domain_name.length + 1)) : '';
    const parentRoot = parent ? nodeSiteRoot(store, dataDir, parent.domain_name) : undefined;
    return parentRoot && prefix ? join(parentRoot, prefix) : undefined;
  }
  if (domain.subscription_id === undefined) return undefined;
  const ws = store.group<{ webspace_id: number }>(
    'webspaces',
    'subscription',
    String(domain.subscription_id),
  )[0];
  return ws ? join(httpdocs(ws.webspace_id), host) : undefined;
}
