/**
 * Moving a file project into a PostgreSQL database from the running app (issue 15): the same
 * move as `mm project move --store` (`store/postgres-move.ts`), made safe under a core that has
 * the project open. Refused while anything runs on the project (a batch, a rehearsal, a
 * verification, checks, any job); otherwise the project is released — every service drops its
 * handles, journals and caches (`project-release.ts`) and nothing re-opens it until the move
 * ended — then moved, then read again from the database, and `projects:changed` tells the UI.
 *
 * The database password is handled as the New project form handles it: tried, then sealed in
 * the data dir's secret store (`store/store-password.ts`), never in the address, link or a file.
 */
import type { ProjectMoveResult } from '../../../shared/model/project-move';
import type { Core } from '../core';
import { MmError } from '../errors';
import { assertNotReviewCopy } from '../review/review-service';
import { inventoryFilesToDataDir } from '../secrets/inventory-to-data-dir';
import { sharedSecrets } from '../secrets/shared-secrets';
import { readLink } from '../store/postgres-link';
import { moveProjectToPostgres } from '../store/postgres-move';
import { pgStoreFor } from '../store/postgres-store';
import { address, prepare, tryConnection } from '../store/store-choice';
import { assertNotOpenElsewhere } from './project-lease';

const DOING = 'moved to PostgreSQL';

export interface MoveToStoreInput {
  readonly projectId: string;
  /** postgres://user@host:port/database, without a password. */
  readonly address: string;
  /** Typed in the form: sealed once it opened the database; empty: the one known already. */
  readonly password?: string;
}

/** Moves a file project of this data dir into the database while the app runs. */
export async function moveProjectToStore(core: Core, input: MoveToStoreInput): Promise<ProjectMoveResult> {
  const { projectId } = input;
  const projects = core.projects;
  const dir = projects.projectDir(projectId);
  await projects.read(projectId); // not found: the usual error
  await assertNotReviewCopy(projects, projectId, 'moving it to PostgreSQL');
  // a folder with a link is shared already (MM_STORE's folders without one are moved like files)
  if (await readLink(dir))
    throw new MmError(
      'invalid-state',
      `Project ${projectId} is kept in PostgreSQL already: there is nothing to move.`,
      'projectId',
    );
  // said before the database is even asked: what runs must end first
  projects.releases.assertIdle(projectId, DOING);
  // another app or process with the project open would go on with the files set aside
  await assertNotOpenElsewhere(dir, projectId, DOING);
  const url = await prepare(core, input.address, input.password);
  const moved = await projects.releases.whileReleased(projectId, DOING, () =>
    moveProjectToPostgres(dir, projectId, url),
  );
  // the project's key made, this data dir's credentials of the project sealed into the database
  await sharedSecrets(core.secrets).shareProject(projectId);
  // re-opened from the database: the project must read there as it did from its files
  const project = await projects.get(projectId);
  core.events.emit('projects:changed', { projectId });
  return {
    projectId,
    name: project.name,
    address: moved.store,
    documents: moved.documents,
    journalEntries: moved.journalEntries,
    setAside: moved.setAside,
  };
}

/** Opens the database once with the typed password (or the one known), changing nothing. */
export async function testStoreConnection(input: {
  readonly address: string;
  readonly password?: string;
}): Promise<{ readonly address: string }> {
  const url = address(input.address);
  await tryConnection(url, input.password === '' ? undefined : input.password);
  return { address: url };
}

/**
 * Before a shared project goes back to files: its credentials (sealed with the project key in
 * `mm_secrets`) opened here and sealed again under this data dir's master key, where a file
 * project keeps them, and the staged inventory and domain-services files' customer secrets
 * likewise (`inventory-to-data-dir.ts`). Refused, before anything changed, when this data dir was not given the
 * project key: the credentials would be lost to it.
 */
export async function credentialsToDataDir(core: Core, projectId: string, staged: string): Promise<number> {
  const link = await readLink(core.projects.projectDir(projectId));
  if (!link) return 0;
  const shared = sharedSecrets(core.secrets);
  // customers' passwords and cards in the shared form open only with the project's data key
  await inventoryFilesToDataDir(shared, projectId, staged);
  const { rows } = await pgStoreFor(link.url).query<{ name: string }>(
    'SELECT name FROM mm_secrets WHERE project_id = $1 ORDER BY name',
    [link.projectId],
  );
  for (const { name } of rows) {
    const full = `project/${projectId}/${name}`;
    const value = await shared.get(full);
    if (value !== undefined) await shared.local.set(full, value);
  }
  return rows.length;
}
