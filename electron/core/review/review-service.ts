/**
 * Offline review (SPEC R10): export a project to one bundle, open a bundle as a read-only
 * copy, comment on objects, and merge a reviewer's comments back into the original.
 */
import { stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { ProjectSummary } from '../../../shared/model/project';
import type { ReviewComment, ReviewObjectRef } from '../../../shared/model/review';
import { MmError } from '../errors';
import type { ProjectService } from '../project/project-service';
import { REVIEW_MARKER } from '../store/document-file';
import {
  type BundleSource,
  type ExtraFiles,
  buildBundle,
  bundleFileName,
  bundlePieces,
  commentsOf,
  openBundle,
  readBundle,
} from './bundle';
import { CommentService } from './comments';

/** Who is at the keyboard, for comments and bundle headers. */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export class ReviewService {
  readonly comments: CommentService;

  constructor(
    private readonly projects: ProjectService,
    /** Reports to include, made fresh at export time (e.g. the verification report). */
    private readonly reports: (projectId: string) => Promise<ExtraFiles> = async () => ({}),
  ) {
    this.comments = new CommentService(projects);
  }

  /** The whole bundle in memory (tests); a bundle to save is `exportFile`'s pieces. */
  async exportBundle(
    projectId: string,
    exportedBy = currentUser(),
  ): Promise<{ bytes: Buffer; fileName: string }> {
    const extra = await this.reports(projectId);
    const { bytes, fileName } = await buildBundle(this.projects, projectId, exportedBy, extra);
    return { bytes, fileName };
  }

  /**
   * The project's bundle to save as it is made: its name now (an unknown project is refused
   * here, before anyone picks where to save), its gzip pieces once read — the files and the
   * reports of the moment are read only then, and the bundle is never whole in memory.
   */
  async exportFile(
    projectId: string,
    exportedBy = currentUser(),
    exportedAt = new Date(),
  ): Promise<{ fileName: string; mimeType: string; pieces: AsyncIterable<Buffer> }> {
    const project = await this.projects.read(projectId);
    return {
      fileName: bundleFileName(project.name, exportedAt),
      mimeType: 'application/gzip',
      pieces: bundlePieces(this.projects, projectId, exportedBy, () => this.reports(projectId), exportedAt),
    };
  }

  /** Opens a bundle (its bytes, or its file read as it is gunzipped) as a read-only copy. */
  openBundle(source: BundleSource, bundleName: string): Promise<ProjectSummary> {
    return openBundle(this.projects, source, bundleName);
  }

  comment(
    projectId: string,
    about: ReviewObjectRef,
    text: string,
    author = currentUser(),
  ): Promise<ReviewComment> {
    return this.comments.add(projectId, about, text, author);
  }

  /** Merges the comments of a bundle exported from a review copy of this project. */
  async mergeComments(
    projectId: string,
    source: BundleSource,
    bundleName: string,
  ): Promise<{ added: number; total: number }> {
    const project = await this.projects.read(projectId);
    if (project.review)
      throw new MmError(
        'read-only-review',
        'Merge comments into the original project, not into a review copy.',
        projectId,
      );
    const bundle = await readBundle(source, bundleName);
    const incoming = commentsOf(bundle);
    const added = await this.comments.merge(projectId, incoming);
    return { added, total: incoming.length };
  }
}

/**
 * Refuses anything that would reach a source server or a target from a review copy. The
 * folder's REVIEW-COPY marker decides as well as project.json's review state: whatever a
 * copy's files say (they came from someone else), the marker the manager wrote keeps it offline.
 */
export async function assertNotReviewCopy(
  projects: ProjectService,
  projectId: string,
  what: string,
): Promise<void> {
  const marked = await stat(join(projects.projectDir(projectId), REVIEW_MARKER)).then(
    () => true,
    () => false,
  );
  const project = await projects.read(projectId);
  if (project.review || marked) {
    throw new MmError(
      'read-only-review',
      `"${project.name}" is a review copy opened from ${project.review?.bundleName ?? 'a bundle'}: ${what} is not possible from it (no source server or target is reachable).`,
      projectId,
    );
  }
}
