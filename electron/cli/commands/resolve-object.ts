/** Finds a domain or subscription named on the command line across the project's source servers. */
import { MmError } from '../../core/errors';
import { domainKey } from '../../core/mapping/mapping-rules';
import type { CliContext } from '../context';

export async function findObject(
  ctx: CliContext,
  projectId: string,
  kind: 'domain' | 'subscription',
  ref: string,
  serverRef: string | undefined,
): Promise<{ serverId: string; id: string }> {
  const servers = serverRef
    ? [await ctx.core.servers.get(projectId, serverRef)]
    : await ctx.core.servers.list(projectId);
  const hits: { serverId: string; id: string }[] = [];
  for (const s of servers) {
    const inv = await ctx.core.inventory.load(projectId, s.id);
    if (!inv) continue;
    if (kind === 'subscription') {
      if (inv.subscriptions.some((x) => x.id === ref)) hits.push({ serverId: s.id, id: ref });
      continue;
    }
    const key = domainKey(ref);
    const d =
      inv.domains.find((x) => x.id === ref) ??
      inv.domains.find((x) => domainKey(x.name, x.asciiName) === key);
    if (d) hits.push({ serverId: s.id, id: d.id });
  }
  const [first, ...more] = hits;
  if (!first)
    throw new MmError(
      'object-not-found',
      `No source server${serverRef ? ` "${serverRef}"` : ''} has a ${kind} "${ref}".`,
      ref,
    );
  if (more.length > 0)
    throw new MmError(
      'usage',
      `The ${kind} "${ref}" is on ${hits.map((h) => h.serverId).join(' and ')}: say which with --server <name>.`,
      '--server',
    );
  return first;
}
