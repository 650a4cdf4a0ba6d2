/**
 * The migration log keeps its file open between appends (store/kept-append-file.ts): one
 * descriptor per log, let go on close, on clear, on the project's release (a move) and deletion,
 * and after an idle time; a line torn by a kill never glues the next one to it. Descriptors are
 * counted in /proc/self/fd, the lines read from the real files.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir, readlink, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCore } from '../../electron/core/core';
import { EventBus } from '../../electron/core/events';
import { MigrationLog } from '../../electron/core/log/migration-log';
import { FileLineLog } from '../../electron/core/store/line-log';
import { describeFileStoreOnly } from '../helpers/file-store-only';
import { REPO_ROOT, tempDir } from '../helpers/paths';

/** The descriptors this process holds now on files whose path starts with `prefix`. */
async function descriptorsTo(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(prefix)) out.push(target);
  }
  return out;
}

const allDescriptors = async (): Promise<number> => (await readdir('/proc/self/fd')).length;

const parsedLines = (text: string): unknown[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as unknown];
      } catch {
        return [];
      }
    });

describeFileStoreOnly('descriptors and lines of the file store’s kept-open logs')('a log kept open', () => {
  it('holds one descriptor per log across appends, and none once closed (300 logs)', async () => {
    const dir = await tempDir('mm-kept-log-');
    const before = await allDescriptors();
    const logs = Array.from(
      { length: 300 },
      (_, i) => new FileLineLog(join(dir, `p${i}`, 'migration-log.jsonl'), { keepOpen: true }),
    );
    for (let round = 0; round < 3; round++)
      await Promise.all(logs.map((log, i) => log.append([JSON.stringify({ log: i, round })])));
    expect(await descriptorsTo(dir)).toHaveLength(300);
    await Promise.all(logs.map((log) => log.close()));
    expect(await descriptorsTo(dir)).toEqual([]);
    expect(await allDescriptors()).toBe(before);
    expect(await readFile(join(dir, 'p7', 'migration-log.jsonl'), 'utf8')).toBe(
      '{"log":7,"round":0}\n{"log":7,"round":1}\n{"log":7,"round":2}\n',
    );
    // closed, then written again: opened again at its path
    await logs[7]?.append(['{"again":true}']);
    expect(await descriptorsTo(dir)).toHaveLength(1);
    await logs[7]?.close();
    expect(parsedLines(await readFile(join(dir, 'p7', 'migration-log.jsonl'), 'utf8'))).toHaveLength(4);
  });

  it('lets an idle descriptor go, and opens the file again on the next append', async () => {
    const dir = await tempDir('mm-kept-log-');
    const file = join(dir, 'log.jsonl');
    const log = new FileLineLog(file, { keepOpen: true, idleCloseMs: 50 });
    await log.append(['{"n":1}']);
    await log.append(['{"n":2}']);
    expect(await descriptorsTo(file)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await descriptorsTo(file)).toEqual([]);
    await log.append(['{"n":3}']);
    expect(await readFile(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    await log.close();
  });

  it('clear removes the log and lets its descriptor go; later lines start a new file', async () => {
    const dir = await tempDir('mm-kept-log-');
    const file = join(dir, 'verification-changes.jsonl');
    const log = new FileLineLog(file, { keepOpen: true, mode: 0o600 });
    await log.append(['{"n":1}', '{"n":2}']);
    await log.clear();
    expect(await log.text()).toBeUndefined();
    expect(await descriptorsTo(dir)).toEqual([]);
    await log.append(['{"n":3}']);
    expect(await log.text()).toBe('{"n":3}\n');
    await log.close();
  });

  it('ends a line torn by a crash before appending, so the next line reads whole', async () => {
    const dir = await tempDir('mm-kept-log-');
    const file = join(dir, 'migration-log.jsonl');
    // what a writer killed mid-write leaves: whole lines, then part of one
    await writeFile(file, '{"time":"t0","level":"info","message":"before"}\n{"time":"t1","lev');
    const log = new MigrationLog(file, 'p1', new EventBus());
    await log.write('info', 'after');
    expect((await log.read()).map((e) => e.message)).toEqual(['before', 'after']);
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines[1]).toBe('{"time":"t1","lev'); // kept as it was, on a line of its own
    await log.close();
  });

  it('leaves at most a torn last line when its writer is killed while appending', async () => {
    const dir = await tempDir('mm-kept-log-');
    const file = join(dir, 'migration-log.jsonl');
    // The child writes large entries as fast as it can (each batch one append) until it is killed.
    const script = `
      const { MigrationLog } = await import(${JSON.stringify(join(REPO_ROOT, 'electron/core/log/migration-log.ts'))});
      const { EventBus } = await import(${JSON.stringify(join(REPO_ROOT, 'electron/core/events.ts'))});
      const log = new MigrationLog(${JSON.stringify(file)}, 'p1', new EventBus());
      const pad = 'x'.repeat(20000);
      let n = 0;
      process.stdout.write('writing\\n');
      for (;;) {
        const batch = [];
        for (let k = 0; k < 50; k++) batch.push(log.write('info', 'entry ' + n++, { pad }));
        await Promise.all(batch);
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    const started = await Promise.race([
      new Promise<boolean>((resolve) => child.stdout.once('data', () => resolve(true))),
      exited.then(() => false),
    ]);
    expect(started, `the child never started writing: ${stderr}`).toBe(true);
    // killed once the log has grown (many appends in), wherever the writer is then
    for (let i = 0; i < 200; i++) {
      const size = (await readFile(file).catch(() => Buffer.alloc(0))).length;
      if (size > 4_000_000) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await exited;
    const lines = (await readFile(file, 'utf8')).split('\n');
    const last = lines.pop() ?? '';
    // every line but a torn last one is a whole entry, in order
    const entries = lines.map((l) => JSON.parse(l) as { message: string });
    expect(entries.length).toBeGreaterThan(100);
    expect(entries.map((e) => e.message)).toEqual(entries.map((_, n) => `entry ${n}`));
    expect(last === '' || !last.includes('\n')).toBe(true);
    // the next writer's lines read whole after it
    const log = new MigrationLog(file, 'p1', new EventBus());
    await log.write('info', 'after the kill');
    expect((await log.read(2)).at(-1)?.message).toBe('after the kill');
    await log.close();
  }, 120_000);

  it("lets the project's log go when the project is released (moved) and when it is deleted", async () => {
    const dataDir = await tempDir('mm-kept-log-core-');
    const core = createCore({ dataDir, shell: 'test' });
    const { id } = await core.projects.create('Kept log');
    const dir = core.projects.projectDir(id);
    const file = join(dir, 'migration-log.jsonl');
    await core.log(id).write('info', 'before the move');
    expect(await descriptorsTo(file)).toHaveLength(1);
    // a move sets the project's files aside while it is released
    const aside = join(dir, 'set-aside.jsonl');
    await core.projects.releases.whileReleased(id, 'moved', async () => {
      await rename(file, aside);
    });
    expect(await descriptorsTo(aside)).toEqual([]);
    await core.log(id).write('info', 'after the move');
    expect(await readFile(aside, 'utf8')).not.toContain('after the move');
    expect(parsedLines(await readFile(file, 'utf8'))).toMatchObject([{ message: 'after the move' }]);
    expect(await descriptorsTo(file)).toHaveLength(1);

    await core.projects.remove(id);
    expect(await descriptorsTo(dir)).toEqual([]);
  });
});
