/**
 * The store choice in the app (issue 15): where each project lives, a new project created on
 * PostgreSQL, and a shared project attached from PostgreSQL. The password typed in the form
 * is tried first, then sealed in the data dir's secret store (`store-password.ts`): never put
 * into the address, the project's link or any file in plain text.
 *
 * A new shared project is made in a scratch data dir and moved from there, then attached: this
 * process never opens it as files, so no cached file handle outlives the move.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProjectSummary } from '../../../shared/model/project';
import type { ProjectStore } from '../../../shared/model/workers';
import type { Core } from '../core';
import { MmError } from '../errors';
import { EventBus } from '../events';
import { ProjectService, projectIdFromName } from '../project/project-service';
import { parseStoreUrl, readLink } from './postgres-link';
import { attachSharedProject, moveProjectToPostgres } from './postgres-move';
import { loadPg } from './postgres-store';
import { passwordFor, storePasswordName } from './store-password';
import { sharedSecrets } from '../secrets/shared-secrets';

/** Where each project of the data dir lives (by project id). */
export async function projectStores(core: Core): Promise<Record<string, ProjectStore>> {
  const out: Record<string, ProjectStore> = {};
  for (const p of await core.projects.list()) {
    const link = await readLink(core.projects.projectDir(p.id)).catch(() => undefined);
    out[p.id] = link ? { kind: 'postgres', address: link.url, sharedId: link.projectId } : { kind: 'files' };
  }
  return out;
}

/** The address checked (no password in it) and normalised as links keep it. */
export function address(raw: string): string {
  return parseStoreUrl(raw.trim(), 'address').toString();
}

/** Connects once with the typed password (or the one known already); says plainly why not. */
export async function tryConnection(url: string, password: string | undefined): Promise<void> {
  const u = new URL(url);
  // the parts one by one: pg lets a connection string's empty password override the typed one
  const { Client } = await loadPg();
  const client = new Client({
    host: decodeURIComponent(u.hostname),
    port: u.port === '' ? 5432 : Number(u.port),
    user: decodeURIComponent(u.username),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    password: password ?? (await passwordFor(url)) ?? '',
    connectionTimeoutMillis: 10_000,
    application_name: 'migration-manager-check',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new MmError(
      'store-unreachable',
      `The database ${url} could not be opened: ${why}.${/password/i.test(why) ? ' Check the password.' : ''}`,
      'address',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Tries the connection, then keeps a typed password sealed for this data dir. */
export async function prepare(core: Core, raw: string, password: string | undefined): Promise<string> {
  const url = address(raw);
  const typed = password === undefined || password === '' ? undefined : password;
  await tryConnection(url, typed);
  if (typed !== undefined) await core.secrets.set(storePasswordName(url), typed);
  return url;
}

async function summary(core: Core, projectId: string): Promise<ProjectSummary> {
  core.events.emit('projects:changed', { projectId });
  const found = (await core.projects.list()).find((p) => p.id === projectId);
  if (!found) throw new MmError('project-not-found', `Project ${projectId} did not appear in this data dir.`);
  return found;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A new project kept in PostgreSQL from the start. */
export async function createSharedProject(
  core: Core,
  input: { name: string; description?: string; address: string; password?: string },
): Promise<ProjectSummary> {
  const id = projectIdFromName(input.name);
  if (await exists(core.projects.projectDir(id)))
    throw new MmError('project-exists', `A project named "${input.name}" already exists here.`, 'name');
  const url = await prepare(core, input.address, input.password);
  const scratch = await mkdtemp(join(tmpdir(), 'mm-new-shared-'));
  try {
    const projects = new ProjectService(scratch, new EventBus());
    const made = await projects.create(input.name, input.description ?? '');
    await moveProjectToPostgres(projects.projectDir(made.id), made.id, url);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await attachSharedProject(core.projects.projectsDir, id, url);
  // its creator holds the first copy of the project's key
  await sharedSecrets(core.secrets).shareProject(id);
  return summary(core, id);
}

/** A project shared on PostgreSQL by another engineer, opened in this data dir. */
export async function attachProject(
  core: Core,
  input: { projectId: string; address: string; password?: string },
): Promise<ProjectSummary> {
  const url = await prepare(core, input.address, input.password);
  await attachSharedProject(core.projects.projectsDir, input.projectId.trim(), url);
  return summary(core, input.projectId.trim());
}
