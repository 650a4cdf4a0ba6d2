/**
 * The project release registry (issue 15) on a real project folder, a real job registry and a
 * real document cache: work running on the project refuses the release, naming it; while a
 * project is released, opening it waits until the release ended; every registered cache is
 * dropped (the next open reads the file again); a cache that fails to let go is named, and the
 * others are still dropped.
 */
import { writeFile } from 'node:fs/promises';
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
