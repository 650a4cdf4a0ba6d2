/**
 * The source side of a batch: `agent.pl --disable=subscriptions --subscription-ids="…"` on the
 * server the subscriptions came from (seed: "disable subscriptions after migration"). The agent
 * answers with a small XML document per subscription; a non-zero exit is the agent's message.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerService } from '../servers/server-service';
import type { SourcePort } from './executor';

export function agentSourcePort(servers: ServerService, projectId: string): SourcePort {
  return {
    async disableSubscriptions(serverId, subscriptionIds, signal) {
      const opened = await servers.open(projectId, serverId, { signal });
      const work = await mkdtemp(join(tmpdir(), 'mm-disable-'));
      try {
        await opened.agent.ensureDeployed();
        await opened.agent.run(
          ['--disable=subscriptions', `--subscription-ids=${subscriptionIds.join(' ')}`],
          'xml',
          join(work, 'disabled.xml'),
          { signal },
        );
      } finally {
        await opened.close();
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}
