/**
 * The document-store port: what every service that owns a per-project document (project
 * settings, inventories, mapping, selection, decisions, results, comments, nodes) needs from
 * storage. Two implementations: the lowdb files of a project folder (the embedded default) and
 * a PostgreSQL database shared by a team (`postgres-document.ts`).
 *
 * A project folder decides which one serves it: a `store.json` link in the folder (written by
 * `mm project create --store` or `mm project move`) sends its documents to PostgreSQL; without
 * one they are files. Callers keep calling `DocumentFile.open(file, spec)`, so no service had to
 * change to become shareable.
 */
import type { DocumentSpec, Versioned } from './document-file';

export interface DocumentHandle<T extends Versioned> {
  /** Where the document lives, for messages (a file path, or the file it stands for). */
  readonly file: string;
  /** The document as this process last read or wrote it. */
  readonly data: T;
  /** The document as stored now (re-read only when someone else changed it). */
  current(): Promise<T>;
  /** Replaces the document and persists it atomically. */
  save(next: T): Promise<void>;
  /** Applies a change to a private copy of the fresh document and persists it atomically. */
  update(change: (draft: T) => T): Promise<T>;
}

/** A store that can serve the documents of linked project folders. */
export interface LinkedDocumentStore {
  open<T extends Versioned>(
    projectDir: string,
    projectId: string,
    relPath: string,
    file: string,
    spec: DocumentSpec<T>,
  ): Promise<DocumentHandle<T>>;
}

/** Resolves the store linked to a project folder and the project's id there, or undefined for files. */
export type LinkResolver = (
  projectDir: string,
) => Promise<{ readonly store: LinkedDocumentStore; readonly projectId: string } | undefined>;

let resolver: LinkResolver | undefined;

/**
 * Installed once by the PostgreSQL store module (imported by the core): the file module itself
 * never imports `pg`, so the embedded default pulls in no database client.
 */
export function setLinkResolver(next: LinkResolver): void {
  resolver = next;
}

/** `<...>/projects/<id>/<rest>` → the project folder, its id and the path inside it. */
export function projectPartOf(
  file: string,
): { projectDir: string; projectId: string; relPath: string } | undefined {
  const m = /^(.*[\\/]projects[\\/]([^\\/]+))[\\/](.+)$/.exec(file);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return undefined;
  return { projectDir: m[1], projectId: m[2], relPath: m[3].replace(/\\/g, '/') };
}

/** The linked store serving this file, if its project folder has a link. */
export async function linkedStoreFor(
  file: string,
): Promise<
  { store: LinkedDocumentStore; projectDir: string; projectId: string; relPath: string } | undefined
> {
  if (!resolver) return undefined;
  const part = projectPartOf(file);
  if (!part) return undefined;
  const found = await resolver(part.projectDir);
  return found ? { ...part, store: found.store, projectId: found.projectId } : undefined;
}
