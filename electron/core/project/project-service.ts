import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectCounts, ProjectDetails, ProjectSummary } from '../../../shared/model/project';
import { MmError } from '../errors';
import type { EventBus } from '../events';
import { DocumentFile } from '../store/document-file';
import { type ProjectFile, projectFileSpec } from './project-file';
import { ProjectReleases } from './project-release';

export interface Clock {
  now(): Date;
}

/** A file-system-safe id derived from a project name: lower case, dashes, no dots at the ends. */
export function projectIdFromName(name: string): string {
  const id = name
    .trim()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return id === '' ? 'project' : id;
}

export class ProjectService {
  readonly #open = new Map<string, Promise<DocumentFile<ProjectFile>>>();
  /**
   * Where every service registers its per-project caches and running work, so one project can be
   * released from this running core (moved to PostgreSQL from the app): `project-release.ts`.
   */
  readonly releases = new ProjectReleases();

  constructor(
    readonly dataDir: string,
    private readonly events: EventBus,
    private readonly clock: Clock = { now: () => new Date() },
  ) {
    this.releases.cache('project file', (id) => {
      this.#open.delete(id);
    });
  }

  get projectsDir(): string {
    return join(this.dataDir, 'projects');
  }

  projectDir(id: string): string {
    if (!/^[\p{L}\p{N}][\p{L}\p{N}-]*$/u.test(id)) {
      throw new MmError('invalid-input', `"${id}" is not a project id.`, 'projectId');
    }
    return join(this.projectsDir, id);
  }

  async list(): Promise<ProjectSummary[]> {
    let entries: string[];
    try {
      entries = await readdir(this.projectsDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const summaries: ProjectSummary[] = [];
    for (const id of entries.sort()) {
      if (!(await isDir(join(this.projectsDir, id)))) continue;
      try {
        summaries.push(summarize(await (await this.file(id)).current()));
      } catch (e) {
        const problem = e instanceof Error ? e.message : String(e);
        summaries.push({ id, name: id, createdAt: '', updatedAt: '', demo: false, serverCount: 0, problem });
      }
    }
    return summaries;
  }

  async create(name: string, description = '', demo = false): Promise<ProjectSummary> {
    const id = projectIdFromName(name);
    const dir = this.projectDir(id);
    if (await isDir(dir)) {
      throw new MmError('project-exists', `A project named "${name}" already exists (${dir}).`, 'name');
    }
    const now = this.clock.now().toISOString();
    const doc = await DocumentFile.open(
      join(dir, 'project.json'),
      projectFileSpec({ id, name: name.trim(), description, createdAt: now, updatedAt: now, demo }),
    );
    await doc.save(doc.data);
    this.#open.set(id, Promise.resolve(doc));
    this.events.emit('projects:changed', { projectId: id });
    return summarize(doc.data);
  }

  async get(id: string): Promise<ProjectDetails> {
    const data = await (await this.file(id)).current();
    return {
      ...summarize(data),
      description: data.description,
      counts: sumCounts(data),
      dataDir: this.projectDir(id),
    };
  }

  /** The project file as stored (for services that own a part of it). */
  async read(id: string): Promise<ProjectFile> {
    return (await this.file(id)).current();
  }

  /** Changes the project file atomically; the change sees a private copy. */
  async update(id: string, change: (draft: ProjectFile) => ProjectFile): Promise<ProjectFile> {
    const next = await this.releases.writing(
      id,
      () => this.file(id),
      (doc) => doc.update((d) => ({ ...change(d), updatedAt: this.clock.now().toISOString() })),
    );
    this.events.emit('projects:changed', { projectId: id });
    return next;
  }

  /** A new name (the id, and so the folder, stay): refused when another project has it. */
  async rename(id: string, name: string): Promise<ProjectSummary> {
    const trimmed = name.trim();
    const taken = (await this.list()).find((p) => p.id !== id && p.name === trimmed);
    if (taken) throw new MmError('project-exists', `There is a project named "${trimmed}" already.`, 'name');
    return summarize(await this.update(id, (d) => ({ ...d, name: trimmed })));
  }

  /**
   * Deletes the project and everything in its folder (inventories, decisions, results, log).
   * Its secrets stay sealed in the secret store under its id; nothing can read them any more.
   */
  async remove(id: string): Promise<void> {
    const dir = this.projectDir(id);
    await this.file(id); // not found → the usual error
    await rm(dir, { recursive: true, force: true });
    this.#open.delete(id);
    await this.releases.forgetLease(id);
    // What services keep of it goes too (the migration log's descriptor of a removed file,
    // cached documents), unless work still runs on it: a batch keeps its journal and log until
    // it ends, as before (its log is closed once idle). The folder is gone already: a cache that
    // failed to let go holds memory only, and the deletion stands.
    if (this.releases.runningOn(id).length === 0) await this.releases.dropAll(id).catch(() => undefined);
    this.events.emit('projects:changed', { projectId: id });
  }

  /** Find a project by id or by name, for the CLI's --project. */
  async resolve(ref: string | undefined): Promise<ProjectSummary> {
    const listed = await this.list();
    const all = listed.filter((p) => p.problem === undefined);
    const damaged = listed.filter((p) => p.problem !== undefined);
    // A project whose file is damaged is named with what is wrong (store-corrupt, store-too-new),
    // not called missing: reading it again throws the store's own error.
    const explain = async (p: ProjectSummary | undefined): Promise<void> => {
      if (p) await this.read(p.id);
    };
    if (ref === undefined) {
      if (all.length === 1 && all[0]) return all[0];
      if (all.length === 0 && damaged.length === 1) await explain(damaged[0]);
      if (all.length === 0)
        throw new MmError(
          'no-project',
          'There is no project yet: create one with "mm project create <name>".',
        );
      throw new MmError(
        'project-required',
        `There are ${all.length} projects (${all.map((p) => p.name).join(', ')}): say which with --project <name>.`,
        '--project',
      );
    }
    const found =
      all.find((p) => p.id === ref || p.name === ref) ?? all.find((p) => p.id === projectIdFromName(ref));
    if (!found) {
      await explain(damaged.find((p) => p.id === ref || p.id === projectIdFromName(ref)));
      throw new MmError('project-not-found', `There is no project named "${ref}".`, '--project');
    }
    return found;
  }

  private async file(id: string): Promise<DocumentFile<ProjectFile>> {
    const dir = this.projectDir(id);
    // every service opens a project through here first: none re-opens it while it moves
    await this.releases.settled(id);
    if (!(await isDir(dir))) {
      this.#open.delete(id);
      throw new MmError('project-not-found', `There is no project "${id}".`, 'projectId');
    }
    let doc = this.#open.get(id);
    if (!doc) {
      doc = DocumentFile.open(join(dir, 'project.json'), projectFileSpec(missingProject(id)));
      // A failed open is not cached: the engineer may repair the file and retry.
      doc.catch(() => this.#open.delete(id));
      this.#open.set(id, doc);
    }
    return doc;
  }
}

function missingProject(id: string): Omit<ProjectFile, 'schemaVersion'> {
  return { id, name: id, description: '', createdAt: '', updatedAt: '', demo: false };
}

function summarize(p: ProjectFile): ProjectSummary {
  return {
    id: p.id,
    name: p.name,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    demo: p.demo,
    serverCount: p.servers?.length ?? 0,
    ...(p.review ? { review: p.review } : {}),
  };
}

function sumCounts(p: ProjectFile): ProjectCounts {
  const counts = { accounts: 0, domains: 0, subscriptions: 0, templates: 0 };
  for (const s of p.servers ?? []) {
    counts.accounts += s.inventory?.accounts ?? 0;
    counts.domains += s.inventory?.domains ?? 0;
    counts.subscriptions += s.inventory?.subscriptions ?? 0;
    counts.templates += s.inventory?.templates ?? 0;
  }
  return counts;
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
