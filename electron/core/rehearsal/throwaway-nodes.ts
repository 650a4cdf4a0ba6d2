/**
 * The content nodes of a rehearsal: only the throwaway target's own local nodes, never the
 * project's registered ones (those are production's). A NodeService whose `open` knows nothing
 * but the roots the throwaway target named, so the content port a rehearsal uses cannot reach
 * a production node whatever the project has registered.
 */
import { localTransport } from '../agent/local-transport';
import { NodeService, type NodeRole, type OpenedNode } from '../content/node-service';
import { MmError } from '../errors';
import type { ProjectService } from '../project/project-service';
import type { SecretStore } from '../secrets/secret-store';

export class ThrowawayNodes extends NodeService {
  constructor(
    deps: { readonly projects: ProjectService; readonly secrets: SecretStore; readonly poaUrl: string },
    private readonly roots: Readonly<Partial<Record<NodeRole, string>>>,
  ) {
    super({
      projects: deps.projects,
      secrets: deps.secrets,
      poaEndpoint: () => Promise.resolve({ url: deps.poaUrl }),
    });
  }

  override open(_projectId: string, role: NodeRole): Promise<OpenedNode> {
    const root = this.roots[role];
    if (!root)
      return Promise.reject(
        new MmError('node-not-configured', `The rehearsal sandbox has no ${role} node.`, role),
      );
    return Promise.resolve({
      role,
      root,
      transport: localTransport(),
      label: `the rehearsal sandbox's ${role} node`,
      close: async () => undefined,
    });
  }
}
