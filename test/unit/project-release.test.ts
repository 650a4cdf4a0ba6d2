/**
 * The project release registry (issue 15) on a real project folder, a real job registry and a
 * real document cache: work running on the project refuses the release, naming it; while a
 * project is released, opening it waits until the release ended; every registered cache is
 * dropped (the next open reads the file again); a cache that fails to let go is named, and the
 * others are still dropped.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../electron/core/events';
import { JobRegistry } from '../../electron/core/jobs/job-registry';
import { ProjectService } from '../../electron/core/project/project-service';
import { selectionStore } from '../../electron/core/selection/selection-store';
import { tempDir } from '../helpers/paths';

async function project(): Promise<{ projects: ProjectService; events: EventBus; id: string }> {
  const events = new EventBus();
  const projects = new ProjectService(await tempDir('mm-release-'), events);
  const { id } = await projects.create('Release test');
  return { projects, events, id };
}

describe('releasing a project from a running core', () => {
  // file projects, which are what a release moves, also when the suite runs on PostgreSQL
  const forced = process.env['MM_STORE'];
  beforeAll(() => {
    delete process.env['MM_STORE'];
  });
  afterAll(() => {
    if (forced !== undefined) process.env['MM_STORE'] = forced;
  });

  it('is refused while a job runs on the project, naming it; other projects are free', async () => {
    const { projects, events, id } = await project();
    const other = (await projects.create('Other')).id;
    const jobs = new JobRegistry(events, projects.releases);
    let finish!: () => void;
    const job = jobs.start('Verification', () => new Promise<void>((r) => (finish = r)), { projectId: id });
    const refused = projects.releases.whileReleased(id, 'moved to PostgreSQL', async () => 'moved');
    await expect(refused).rejects.toMatchObject({ code: 'busy', where: 'projectId' });
    await expect(refused).rejects.toThrow(
      `Project ${id} cannot be moved to PostgreSQL while the job "Verification" runs on it`,
    );
    expect(await projects.releases.whileReleased(other, 'moved', async () => 'free')).toBe('free');
    finish();
    await job.done;
    expect(projects.releases.runningOn(id)).toEqual([]);
    expect(await projects.releases.whileReleased(id, 'moved', async () => 'moved')).toBe('moved');
  });

  it('holds back every opening of the project until the release ended, then drops the caches', async () => {
    const { projects, id } = await project();
    const selection = selectionStore(projects);
    const before = await selection.open(id);
    let opened = false;
    let reading: Promise<unknown> | undefined;
    await projects.releases.whileReleased(id, 'moved', async () => {
      reading = projects.read(id).then(() => (opened = true));
      await new Promise((r) => setTimeout(r, 200));
      // what the move does to the files happens while nothing can open the project
      expect(opened).toBe(false);
      await writeFile(
        join(projects.projectDir(id), 'selection.json'),
        JSON.stringify({ schemaVersion: 1, revision: 7, servers: {} }),
      );
    });
    await reading;
    expect(opened).toBe(true);
    const after = await selection.open(id);
    expect(after).not.toBe(before);
    expect(after.data.revision).toBe(7);
  });

  it('lets a write under way finish before the move, and holds one asked during it for the fresh handle', async () => {
    const { projects, id } = await project();
    const selection = selectionStore(projects);
    const file = join(projects.projectDir(id), 'selection.json');
    const before = await selection.open(id);
    // a write already under way (its handle opened, the write slowed down) when the release begins
    const underWay = projects.releases.writing(
      id,
      () => selection.open(id),
      async (doc) => {
        await new Promise((r) => setTimeout(r, 150));
        return doc.update((d) => ({ ...d, revision: 1 }));
      },
    );
    await new Promise((r) => setTimeout(r, 20));
    let asked: Promise<unknown> | undefined;
    let seenByMove = -1;
    await projects.releases.whileReleased(id, 'moved', async () => {
      seenByMove = (JSON.parse(await readFile(file, 'utf8')) as { revision: number }).revision;
      // asked while the project moves: waits, then writes through the handle opened after
      asked = selection.update(id, (d) => ({ ...d, revision: d.revision + 10 }));
      await new Promise((r) => setTimeout(r, 100));
      expect((JSON.parse(await readFile(file, 'utf8')) as { revision: number }).revision).toBe(1);
    });
    await underWay;
    expect(seenByMove).toBe(1);
    await asked;
    expect((JSON.parse(await readFile(file, 'utf8')) as { revision: number }).revision).toBe(11);
    expect(await selection.open(id)).not.toBe(before);
  });

  it('names a cache that fails to let go, and still drops the others', async () => {
    const { projects, id } = await project();
    const selection = selectionStore(projects);
    const before = await selection.open(id);
    projects.releases.cache('a stuck cache', () => {
      throw new Error('its file is still being written');
    });
    await expect(projects.releases.whileReleased(id, 'moved', async () => 'moved')).rejects.toThrow(
      `Project ${id} could not be released: a stuck cache: its file is still being written.`,
    );
    expect(await selection.open(id)).not.toBe(before);
    // the project opens again once the failed release ended
    expect((await projects.read(id)).id).toBe(id);
  });
});
