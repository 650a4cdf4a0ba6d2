import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths';
import { runMm } from '../helpers/processes';

// Two windows on one project, or the app and a script: separate processes writing the same
// project file must not lose each other's changes.
describe('several processes on one project', () => {
  it('keeps every change when processes write the same project at once', async () => {
    const dataDir = await tempDir();
    const root = await tempDir();
    await runMm(['project', 'create', 'Shared', '--data-dir', dataDir]);
    const names = ['s1', 's2', 's3', 's4', 's5', 's6'];
    const runs = await Promise.all(
      names.map((n) =>
        runMm(['server', 'add', n, '--local', '--root', root, '--kind', 'linux', '--data-dir', dataDir]),
      ),
    );
    expect(runs.map((r) => r.code)).toEqual(names.map(() => 0));
    const list = await runMm(['server', 'list', '--json', '--data-dir', dataDir]);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((s) => s.id).sort()).toEqual(names);
  });
});
