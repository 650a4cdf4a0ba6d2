import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths';
import { runMm } from '../helpers/processes';
import { fileStoreOnly } from '../helpers/file-store-only';

describe('mm project', () => {
  it('create then list --json round-trips, with nothing but JSON on stdout', async () => {
    const dataDir = await tempDir();
    const created = await runMm(['project', 'create', 'H-Sphere east', '--data-dir', dataDir, '--json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 'h-sphere-east', name: 'H-Sphere east' });
    const listed = await runMm(['--json', 'project', 'list'], { MM_DATA_DIR: dataDir });
    expect(listed.code).toBe(0);
    const projects = JSON.parse(listed.stdout) as { id: string; name: string }[];
    expect(projects.map((p) => p.name)).toEqual(['H-Sphere east']);
    const shown = await runMm(['project', 'show', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ name: 'H-Sphere east', counts: { accounts: 0 } });
  });

  fileStoreOnly('the modes of the document files a project folder holds')(
    'writes the data dir for the user alone (0600 files, 0700 folders)',
    async () => {
      const dataDir = await tempDir();
      await runMm(['project', 'create', 'Private', '--data-dir', dataDir]);
      const { stat } = await import('node:fs/promises');
      expect((await stat(`${dataDir}/projects/private/project.json`)).mode & 0o777).toBe(0o600);
      expect((await stat(`${dataDir}/projects/private`)).mode & 0o777).toBe(0o700);
    },
  );

  it('exits 2 on a usage error and 1 on a failure, with the message on stderr', async () => {
    const dataDir = await tempDir();
    const usage = await runMm(['project', 'frobnicate', '--data-dir', dataDir]);
    expect(usage.code).toBe(2);
    const badName = await runMm(['project', 'create', '$(reboot)', '--data-dir', dataDir]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/name/);
    await runMm(['project', 'create', 'One', '--data-dir', dataDir]);
    const twice = await runMm(['project', 'create', 'One', '--data-dir', dataDir, '--json']);
    expect(twice.code).toBe(1);
    expect(twice.stdout).toBe('');
    expect(twice.stderr).toMatch(/already exists/);
  });

  it('needs --project when there are several, and finds a project by name', async () => {
    const dataDir = await tempDir();
    await runMm(['project', 'create', 'One', '--data-dir', dataDir]);
    await runMm(['project', 'create', 'Two', '--data-dir', dataDir]);
    const ambiguous = await runMm(['project', 'show', '--data-dir', dataDir]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/--project/);
    const named = await runMm(['project', 'show', '--project', 'Two', '--data-dir', dataDir, '--json']);
    expect(JSON.parse(named.stdout)).toMatchObject({ id: 'two' });
  });

  fileStoreOnly('a damaged project.json file')(
    'lists a project whose file is corrupt with the problem, naming the file',
    async () => {
      const dataDir = await tempDir();
      await runMm(['project', 'create', 'Broken', '--data-dir', dataDir]);
      const { writeFile } = await import('node:fs/promises');
      await writeFile(`${dataDir}/projects/broken/project.json`, '{"schemaVersion":1,"id":"bro');
      const listed = await runMm(['project', 'list', '--json', '--data-dir', dataDir]);
      const [entry] = JSON.parse(listed.stdout) as { problem?: string }[];
      expect(entry?.problem).toContain('projects/broken/project.json');
    },
  );
});
