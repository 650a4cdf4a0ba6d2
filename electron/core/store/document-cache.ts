/**
 * One DocumentFile per project and file name, opened once and shared, so every service that
 * owns a small per-project file (mapping, selection, decisions, results) reads it from memory
 * and writes it atomically. A failed open is not cached: the engineer may repair the file.
 */
import { join } from 'node:path';
import type { ProjectService } from '../project/project-service';
import { DocumentFile, type DocumentSpec, type Versioned } from './document-file';

export class DocumentCache<T extends Versioned> {
  readonly #docs = new Map<string, Promise<DocumentFile<T>>>();

  constructor(
    private readonly projects: ProjectService,
    private readonly fileName: string,
    private readonly spec: DocumentSpec<T>,
  ) {
    // a project moved from the app re-opens this document from where it lives now
    projects.releases.cache(`document ${fileName}`, (projectId) => {
      this.#docs.delete(projectId);
    });
  }

  file(projectId: string): string {
    return join(this.projects.projectDir(projectId), this.fileName);
  }

  async open(projectId: string): Promise<DocumentFile<T>> {
    // The project must exist: a typo in --project must not create a stray folder.
    await this.projects.read(projectId);
    let doc = this.#docs.get(projectId);
    if (!doc) {
      doc = DocumentFile.open<T>(this.file(projectId), this.spec);
      doc.catch(() => this.#docs.delete(projectId));
      this.#docs.set(projectId, doc);
    }
    return doc;
  }

  async read(projectId: string): Promise<T> {
    return (await this.open(projectId)).data;
  }

  update(projectId: string, change: (draft: T) => T): Promise<T> {
    // never through a handle of a project being moved: see ProjectReleases.writing
    return this.projects.releases.writing(
      projectId,
      () => this.open(projectId),
      (doc) => doc.update(change),
    );
  }
}
