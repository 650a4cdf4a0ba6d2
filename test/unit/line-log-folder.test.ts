/**
 * A file line log makes its folder only when an append finds it missing (not before every
 * append: the journal appends per step): the folder is made private, a folder removed between
 * appends is made again, and any other write error still reaches the caller.
 */
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLineLog } from '../../electron/core/store/line-log';
import { tempDir } from '../helpers/paths';

describe('file line log folders', () => {
  it('makes a missing folder (private), again after it was removed, and passes other errors on', async () => {
    const root = await tempDir('mm-line-log-');
    const file = join(root, 'a', 'b', 'journal.jsonl');
    const log = new FileLineLog(file, { mode: 0o600 });
    await log.append(['{"n":1}']);
    expect((await stat(join(root, 'a', 'b'))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await log.append(['{"n":2}', '{"n":3}']);
    expect(await readFile(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');

    await rm(join(root, 'a'), { recursive: true });
    await log.append(['{"n":4}']);
    expect(await readFile(file, 'utf8')).toBe('{"n":4}\n');

    // A folder that cannot be written is not "missing": the error is the caller's to see.
    const locked = join(root, 'locked');
    await mkdir(locked, { mode: 0o500 });
    await chmod(locked, 0o500);
    const refused = new FileLineLog(join(locked, 'x.jsonl'));
    if (process.getuid?.() === 0) {
      // root writes anyway; a path under a regular file fails instead (ENOTDIR, not ENOENT).
      await expect(new FileLineLog(join(file, 'x.jsonl')).append(['{}'])).rejects.toMatchObject({
        code: 'ENOTDIR',
      });
    } else {
      await expect(refused.append(['{}'])).rejects.toMatchObject({ code: 'EACCES' });
    }
  });
});
