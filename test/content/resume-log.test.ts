/**
 * The resume log on real files (resume-log.ts): what a restarted manager reads back after an
 * attempt was cut — the files passed whole in archive order and the large file under way — with
 * a torn last line dropped, another content id's or staging folder's log ignored, the log
 * replaced whole when an attempt starts, appended as files pass (not only when it is closed),
 * and gone once discarded.
 */
import { appendFile, readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  LARGE_FILE_BYTES,
  ResumeLog,
  loadResumeLog,
  removeResumeLog,
  resumeLogPath,
} from '../../electron/core/content/resume-log';
import type { StagedFile } from '../../electron/core/content/tar-verify';
import { tempDir } from '../helpers/paths';

const STAGING = '/srv/vhosts/7/webspace/.mm-staging/site-a';
const ID = 'site:a.test';
const file = (name: string, size = 10): StagedFile => ({
  name,
  size,
  mtime: 1_600_000_000,
  sha256: 'cd'.repeat(32),
});

describe('the resume log', () => {
  it('reads back the files and the large file under way; a started file that then passed is no longer under way', async () => {
    const dir = await tempDir('mm-resume-log-');
    const log = await ResumeLog.begin(dir, STAGING, ID, [file('a b.txt'), file('new\nline')]);
    log.file(file('c.bin', 5));
    log.started('small.bin', 100); // below the size worth a line
    log.started('big.bin', LARGE_FILE_BYTES);
    await log.close();
    expect(await loadResumeLog(dir, STAGING, ID)).toEqual({
      files: [file('a b.txt'), file('new\nline'), file('c.bin', 5)],
      started: { name: 'big.bin', size: LARGE_FILE_BYTES },
    });
    const again = await ResumeLog.begin(dir, STAGING, ID, [file('a b.txt')], {
      name: 'big.bin',
      size: LARGE_FILE_BYTES,
    });
    again.file(file('big.bin', LARGE_FILE_BYTES));
    await again.close();
    expect(await loadResumeLog(dir, STAGING, ID)).toEqual({
      files: [file('a b.txt'), file('big.bin', LARGE_FILE_BYTES)],
    });
    // Only one log per content id and staging folder, no temp file left.
    expect(await readdir(dir)).toEqual([resumeLogPath(dir, STAGING, ID).slice(dir.length + 1)]);
  });

  it('drops a torn last line and stops at a line that does not parse; other ids and folders are not read', async () => {
    const dir = await tempDir('mm-resume-log-');
    const log = await ResumeLog.begin(dir, STAGING, ID, [file('one'), file('two')]);
    await log.close();
    const path = resumeLogPath(dir, STAGING, ID);
    await appendFile(path, '{"f":["thr');
    expect((await loadResumeLog(dir, STAGING, ID))?.files.map((f) => f.name)).toEqual(['one', 'two']);
    await appendFile(path, '\n{"f":["four",1,2,"' + 'ab'.repeat(32) + '"]}\n');
    expect((await loadResumeLog(dir, STAGING, ID))?.files.map((f) => f.name)).toEqual(['one', 'two']);
    expect(await loadResumeLog(dir, STAGING, 'site:b.test')).toBeUndefined();
    expect(await loadResumeLog(dir, `${STAGING}-other`, ID)).toBeUndefined();
    expect(await loadResumeLog(await tempDir('mm-resume-log-none-'), STAGING, ID)).toBeUndefined();
  });

  it('is appended as files pass, before it is closed, and discarded whole', async () => {
    const dir = await tempDir('mm-resume-log-');
    const log = await ResumeLog.begin(dir, STAGING, ID, []);
    for (let i = 0; i < 1100; i++) log.file(file(`m/${i}`, 100));
    let seen = 0;
    for (let t = 0; t < 100 && seen < 1000; t++) {
      seen = (await loadResumeLog(dir, STAGING, ID))?.files.length ?? 0;
      if (seen < 1000) await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toBeGreaterThanOrEqual(1000);
    expect(await readFile(resumeLogPath(dir, STAGING, ID), 'utf8')).not.toMatch(/secret|password/i);
    await log.discard();
    expect(await readdir(dir)).toEqual([]);
    // A log a kill left after publishing is removed by name (the step's reconcile does).
    await (await ResumeLog.begin(dir, STAGING, ID, [file('x')])).close();
    await removeResumeLog(dir, STAGING, ID);
    expect(await loadResumeLog(dir, STAGING, ID)).toBeUndefined();
  });
});
