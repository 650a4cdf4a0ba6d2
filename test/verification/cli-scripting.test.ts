/**
 * `mm verify` for scripts: `--fail-on failed|approval` decides the exit code, and `--json`
 * results carry the owner account and the template. Run as processes, as a script would.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths';
import { type CliRun, runMm } from '../helpers/processes';
import { v1Source, writeInventory } from './fixtures';

interface VerifyJson {
  results: { kind: string; id: string; account: string; template: string | null; status: string }[];
}

describe('mm verify for scripts', () => {
  let dataDir: string;
  const mm = (...args: string[]): Promise<CliRun> =>
    runMm(['--data-dir', dataDir, '--project', 'Scripted', ...args]);

  beforeAll(async () => {
    dataDir = await tempDir();
    const root = join(dataDir, 'source-files');
    await mkdir(root);
    const xml = await writeInventory(dataDir, v1Source(), 'web01.xml');
    for (const args of [
      ['project', 'create', 'Scripted'],
      [
        '--project',
        'Scripted',
        'server',
        'add',
        'web01',
        '--local',
        '--root',
        root,
        '--kind',
        'linux',
        '--api',
        '1',
      ],
      ['--project', 'Scripted', 'inventory', 'import', 'web01', xml],
      [
        '--project',
        'Scripted',
        'mapping',
        'set',
        'web01',
        't-host',
        '--class',
        'hosting',
        '--poa-template',
        '12',
        '--pba-plan',
        '102',
      ],
      ['--project', 'Scripted', 'select', 'all'],
    ]) {
      const r = await runMm(['--data-dir', dataDir, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });

  it('--json results name the owner account and the template', async () => {
    const r = await mm('verify', '--json');
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout) as VerifyJson;
    const s1 = v.results.find((x) => x.kind === 'subscription' && x.id === 's1');
    expect(s1).toMatchObject({ account: 'a1', template: 't-host' });
    const a1 = v.results.find((x) => x.kind === 'account' && x.id === 'a1');
    expect(a1).toMatchObject({ account: 'a1', template: null });
  });

  it('--fail-on failed exits 1 when something failed, and still prints the results', async () => {
    const r = await mm('verify', '--json', '--fail-on', 'failed');
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout) as VerifyJson;
    const failed = v.results.filter((x) => x.status === 'verification-failed' || x.status === 'rejected');
    expect(failed.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(new RegExp(`mm: ${failed.length} result\\(s\\) are .*\\(--fail-on failed\\)`));
  });

  it('--fail-on approval looks at domains waiting for approval only; a bad word is a usage error', async () => {
    const r = await mm('verify', '--json', '--fail-on', 'approval');
    const v = JSON.parse(r.stdout) as VerifyJson;
    const waiting = v.results.filter((x) => x.status === 'manual-approval-required').length;
    expect(r.code).toBe(waiting > 0 ? 1 : 0);
    const bad = await mm('verify', '--fail-on', 'warnings');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--fail-on takes failed, approval or both');
  });
});
