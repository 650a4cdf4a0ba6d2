/**
 * The desktop app's download and upload handlers (issue 19), driven without Electron: the main
 * process's `mm:download` and `mm:upload` are saveDownload and openUpload with the save and open
 * dialogs passed in (`pick`, `pickOpen`); here they are stand-ins answering a real path, and the
 * files are real. A review bundle is saved as it is made and opened again from its file; a
 * cancelled dialog writes and opens nothing; a failure midway leaves no half file under the name
 * picked (an older file there stays whole); a file over the cap is refused naming the cap.
 */
import { readFile, readdir, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveDownload } from '../../electron/api/downloads';
import { type UploadKind, openUpload } from '../../electron/api/uploads';
import { type Core, createCore } from '../../electron/core/core';
import { ensureDemoProject } from '../../electron/core/demo';
import { tempDir } from '../helpers/paths';

const PROJECT = 'demo-migration';

describe('the desktop handlers of downloads and uploads (dialogs passed in, real files)', () => {
  let core: Core;
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    core = createCore({ dataDir: await tempDir('mm-transfer-data-'), shell: 'test' });
    await ensureDemoProject(core);
    await core.review.comment(PROJECT, { kind: 'project', id: PROJECT }, 'Before the export');
    dir = await tempDir('mm-transfer-files-');
    bundle = join(dir, 'picked.mmreview');
  });

  it('saves a review bundle to the file picked, as it is made, and the bundle opens again', async () => {
    const asked: string[] = [];
    const saved = await saveDownload(core, 'review:export', { projectId: PROJECT }, async (name) => {
      asked.push(name);
      return bundle;
    });
    expect(saved).toEqual({ ok: true, value: { fileName: 'picked.mmreview', saved: true } });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/^demo-migration-review-\d{4}-\d\d-\d\d-\d\d-\d\d\.mmreview$/);
    expect((await stat(bundle)).mode & 0o777).toBe(0o600);
    const content = JSON.parse(gunzipSync(await readFile(bundle)).toString('utf8')) as {
      format: string;
      project: { name: string };
      files: Record<string, unknown>;
    };
    expect(content).toMatchObject({
      format: 'migration-manager-review-bundle',
      project: { name: 'Demo migration' },
    });
    expect(Object.keys(content.files)).toContain('reports/verification-report.json');
    expect(await readdir(dir)).toEqual(['picked.mmreview']);

    const kinds: UploadKind[] = [];
    const opened = await openUpload(core, 'review:open', {}, async (kind) => {
      kinds.push(kind);
      return bundle;
    });
    expect(kinds).toEqual([{ name: 'Review bundle', extensions: ['mmreview'], maxBytes: 256 * 1048576 }]);
    expect(opened).toMatchObject({
      ok: true,
      value: { picked: true, fileName: 'picked.mmreview', value: { name: 'Demo migration (review)' } },
    });
    const copy = opened.ok && opened.value.picked ? opened.value.value.id : '';
    expect((await core.projects.read(copy)).review?.bundleName).toBe('picked.mmreview');
    expect(await core.review.comments.list(copy)).toMatchObject([{ text: 'Before the export' }]);
  });

  it('merges the comments of a bundle picked in the open dialog into the original', async () => {
    const copy = (await core.projects.list()).find((p) => p.name === 'Demo migration (review)')!.id;
    await core.review.comment(copy, { kind: 'project', id: copy }, 'From the reviewer');
    const back = join(dir, 'back.mmreview');
    expect(await saveDownload(core, 'review:export', { projectId: copy }, async () => back)).toMatchObject({
      ok: true,
      value: { saved: true },
    });
    const merged = await openUpload(core, 'review:merge-comments', { projectId: PROJECT }, async () => back);
    expect(merged).toEqual({
      ok: true,
      value: { picked: true, fileName: 'back.mmreview', value: { added: 1, total: 2 } },
    });
    // a review copy takes no merge: refused by the core, the file read for nothing else
    const intoCopy = await openUpload(core, 'review:merge-comments', { projectId: copy }, async () => back);
    expect(intoCopy).toMatchObject({ ok: false, error: { code: 'read-only-review' } });
  });

  it('a cancelled dialog writes nothing and opens nothing', async () => {
    const before = (await readdir(dir)).sort();
    const projects = (await core.projects.list()).length;
    const saved = await saveDownload(core, 'review:export', { projectId: PROJECT }, async () => undefined);
    expect(saved).toMatchObject({ ok: true, value: { saved: false } });
    const report = await saveDownload(
      core,
      'reports:verification',
      { projectId: PROJECT, format: 'csv' },
      async () => undefined,
    );
    expect(report).toMatchObject({ ok: true, value: { saved: false } });
    expect(await openUpload(core, 'review:open', {}, async () => undefined)).toEqual({
      ok: true,
      value: { picked: false },
    });
    expect((await readdir(dir)).sort()).toEqual(before);
    expect((await core.projects.list()).length).toBe(projects);
  });

  it('a request the contract refuses never opens a dialog', async () => {
    const never = async (): Promise<string> => {
      throw new Error('a dialog was opened');
    };
    expect(await saveDownload(core, 'review:export', { projectId: 'no-such' }, never)).toMatchObject({
      ok: false,
      error: { code: 'project-not-found' },
    });
    expect(await saveDownload(core, 'review:export', { projectId: PROJECT, extra: 1 }, never)).toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
    expect(await openUpload(core, 'review:merge-comments', { projectId: 'no-such' }, never)).toMatchObject({
      ok: false,
      error: { code: 'project-not-found' },
    });
    expect(await openUpload(core, 'projects:list', {}, never)).toMatchObject({
      ok: false,
      error: { code: 'unknown-call' },
    });
    // a bundle is no longer a call's base64: the old request shape is refused
    expect(
      await openUpload(core, 'review:open', { fileName: 'x.mmreview', base64: 'H4sI' }, never),
    ).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('reports are saved as they are written, the same text the core renders', async () => {
    for (const format of ['html', 'csv'] as const) {
      const out = join(dir, `verification.${format}`);
      const saved = await saveDownload(
        core,
        'reports:verification',
        { projectId: PROJECT, format },
        async () => out,
      );
      expect(saved).toMatchObject({ ok: true, value: { saved: true } });
      const made = await core.reports.verification(PROJECT, format);
      expect(await readFile(out, 'utf8')).toBe(made.content);
    }
  });

  it('a failure midway leaves no half file under the name picked, and an older file there whole', async () => {
    const out = join(dir, 'failing.mmreview');
    await writeFile(out, 'the older file');
    // A member the bundle must carry is broken: the export fails after the file was begun.
    const broken = join(core.projects.projectDir(PROJECT), 'mapping.json');
    const original = await readFile(broken, 'utf8').catch(() => undefined);
    await writeFile(broken, '{ not json');
    try {
      const failed = await saveDownload(core, 'review:export', { projectId: PROJECT }, async () => out);
      expect(failed).toMatchObject({ ok: false, error: { code: 'store-corrupt', where: out } });
    } finally {
      if (original === undefined) await writeFile(broken, '{}');
      else await writeFile(broken, original);
    }
    expect(await readFile(out, 'utf8')).toBe('the older file');
    expect((await readdir(dir)).filter((f) => f.endsWith('.part'))).toEqual([]);
    // A place that cannot be written: nothing there, nothing left beside.
    const nowhere = join(dir, 'no-such-folder', 'x.mmreview');
    const refused = await saveDownload(core, 'review:export', { projectId: PROJECT }, async () => nowhere);
    expect(refused).toMatchObject({ ok: false, error: { where: nowhere } });
    expect((await readdir(dir)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('a file over the cap is refused naming the cap, before any of it is read', async () => {
    const big = join(dir, 'huge.mmreview');
    await writeFile(big, '');
    await truncate(big, 256 * 1048576 + 1); // sparse: 256 MB and one byte, no disk taken
    const projects = (await core.projects.list()).length;
    const refused = await openUpload(core, 'review:open', {}, async () => big);
    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'too-large',
        message: 'huge.mmreview is too large (257 MB): a review bundle may be at most 256 MB.',
        where: 'huge.mmreview',
      },
    });
    expect((await core.projects.list()).length).toBe(projects);
    const merge = await openUpload(core, 'review:merge-comments', { projectId: PROJECT }, async () => big);
    expect(merge).toMatchObject({ ok: false, error: { code: 'too-large', message: /at most 256 MB/ } });
    // a folder picked (or a file gone) is refused by name
    expect(await openUpload(core, 'review:open', {}, async () => dir)).toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
  });
});
