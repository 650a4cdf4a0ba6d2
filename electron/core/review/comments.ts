/**
 * Review comments per object: the one thing a reviewer may write in a read-only review copy.
 * Stored in `<project>/comments.json`; exported back inside a bundle and merged by the engineer
 * (by comment id, so merging twice adds nothing).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ReviewComment, ReviewObjectRef } from '../../../shared/model/review';
import { MmError } from '../errors';
import type { ProjectService } from '../project/project-service';
import { DocumentFile } from '../store/document-file';

interface CommentsFile {
  schemaVersion: 1;
  comments: ReviewComment[];
}

export const COMMENTS_FILE = 'comments.json';

export class CommentService {
  constructor(private readonly projects: ProjectService) {}

  private doc(projectId: string): Promise<DocumentFile<CommentsFile>> {
    return DocumentFile.open<CommentsFile>(join(this.projects.projectDir(projectId), COMMENTS_FILE), {
      kind: 'review comments',
      currentVersion: 1,
      migrations: {},
      empty: () => ({ schemaVersion: 1, comments: [] }),
      check: (d) => (Array.isArray(d.comments) ? undefined : 'no comment list'),
      writableInReview: true,
    });
  }

  async list(projectId: string, about?: ReviewObjectRef): Promise<readonly ReviewComment[]> {
    const all = (await (await this.doc(projectId)).current()).comments;
    return about ? all.filter((c) => sameObject(c.about, about)) : all;
  }

  async add(projectId: string, about: ReviewObjectRef, text: string, author: string): Promise<ReviewComment> {
    const body = text.trim();
    if (body === '') throw new MmError('invalid-input', 'A comment needs some text.', 'text');
    if (body.length > 10_000)
      throw new MmError('invalid-input', 'A comment is at most 10,000 characters.', 'text');
    const comment: ReviewComment = {
      id: randomUUID(),
      about,
      author,
      time: new Date().toISOString(),
      text: body,
    };
    await (await this.doc(projectId)).update((d) => ({ ...d, comments: [...d.comments, comment] }));
    return comment;
  }

  /** Adds the comments not seen before; returns how many were new. */
  async merge(projectId: string, incoming: readonly ReviewComment[]): Promise<number> {
    let added = 0;
    await (
      await this.doc(projectId)
    ).update((d) => {
      const known = new Set(d.comments.map((c) => c.id));
      const fresh = incoming.filter((c) => !known.has(c.id));
      added = fresh.length;
      return { ...d, comments: [...d.comments, ...fresh] };
    });
    return added;
  }
}

function sameObject(a: ReviewObjectRef, b: ReviewObjectRef): boolean {
  return a.kind === b.kind && a.id === b.id && (a.serverId ?? '') === (b.serverId ?? '');
}
