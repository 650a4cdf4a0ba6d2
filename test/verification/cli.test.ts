/**
 * `mm mapping | select | verify | decide` run as processes on a project whose inventories were
 * imported from XML (Migration API v1 and v2 servers), the way an engineer scripts it.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths';
import { type CliRun, runMm } from '../helpers/processes';
import { v1Source, v2Source, writeInventory } from './fixtures';

interface VerifyJson {
  results: {
    kind: string;
    id: string;
    server: string;
    status: string;
    reasons: { code: string; message: string }[];
  }[];
}

describe('mm mapping, select, verify, decide', () => {
  let dataDir: string;
  const mm = (...args: string[]): Promise<CliRun> =>
    runMm(['--data-dir', dataDir, '--project', 'Cutover', ...args]);
  const ok = async (...args: string[]): Promise<CliRun> => {
    const r = await mm(...args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  };
  const verify = async (): Promise<VerifyJson> =>
    JSON.parse((await ok('verify', '--json')).stdout) as VerifyJson;
  const find = (v: VerifyJson, kind: string, server: string, id: string) => {
    const r = v.results.find((x) => x.kind === kind && x.server === server && x.id === id);
    if (!r) throw new Error(`no ${kind} ${server}/${id}`);
    return { ...r, codes: r.reasons.map((x) => x.code) };
  };

  beforeAll(async () => {
    dataDir = await tempDir();
    const root = join(dataDir, 'source-files');
    await mkdir(root);
    const v1 = await writeInventory(dataDir, v1Source(), 'web01.xml');
    const v2 = await writeInventory(dataDir, v2Source(), 'web02.xml');
    await runMm(['--data-dir', dataDir, 'project', 'create', 'Cutover']);
    await ok('server', 'add', 'web01', '--local', '--root', root, '--kind', 'linux', '--api', '1');
    await ok('server', 'add', 'web02', '--local', '--root', root, '--kind', 'linux', '--api', '2');
    await ok('inventory', 'import', 'web01', v1);
    await ok('inventory', 'import', 'web02', v2);
  });

  it('mapping set classifies and maps templates; mapping list shows them (unverified: no target)', async () => {
    await ok(
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
    );
    await ok(
      'mapping',
      'set',
      'web01',
      't-reg',
      '--class',
      'registration',
      '--tld',
      '.com=201:enom',
      '--tld',
      '.net=202:enom',
    );
    await ok(
      'mapping',
      'set',
      'web02',
      'p-host',
      '--class',
      'hosting',
      '--poa-template',
      '12',
      '--pba-plan',
      '102',
    );
    await ok('mapping', 'set', 'web02', 'p-res', '--class', 'resource', '--pba-plan', '303');
    const last = await ok(
      'mapping',
      'set',
      'web02',
      'p-reg',
      '--class',
      'registration',
      '--tld',
      '.com=201:enom',
    );
    expect(last.stdout).toMatch(/Unverified/);
    const rows = JSON.parse((await ok('mapping', 'list', '--json')).stdout) as {
      templateId: string;
      state: string;
      mapping?: { check: string };
    }[];
    expect(rows.find((r) => r.templateId === 't-reg')).toMatchObject({
      state: 'complete',
      mapping: { check: 'unverified' },
    });
    expect(rows.find((r) => r.templateId === 't-legacy')).toMatchObject({ state: 'unmapped' });
    const text = (await ok('mapping', 'list')).stdout;
    expect(text).toContain('.com=201:enom .net=202:enom');
  });

  it('rejects a malformed --tld and an unknown class as usage errors (exit 2)', async () => {
    expect(
      (await mm('mapping', 'set', 'web01', 't-reg', '--class', 'registration', '--tld', 'com:201')).code,
    ).toBe(2);
    expect((await mm('mapping', 'set', 'web01', 't-reg', '--class', 'billing')).code).toBe(2);
    const missing = await mm(
      'mapping',
      'set',
      'web01',
      'no-such',
      '--class',
      'resource',
      '--pba-plan',
      '301',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no external service template "no-such"');
  });

  it('verify --json prints every status and reason of both API versions, in the documented shape', async () => {
    expect(JSON.parse((await ok('select', 'all', '--json')).stdout)).toMatchObject({
      servers: [
        { serverId: 'web01', accounts: 5, domains: 5 },
        { serverId: 'web02', accounts: 1, domains: 2 },
      ],
    });
    const v = await verify();
    for (const r of v.results) {
      expect(Object.keys(r).sort()).toEqual([
        'account',
        'id',
        'kind',
        'name',
        'reasons',
        'server',
        'status',
        'template',
      ]);
      for (const reason of r.reasons) expect(Object.keys(reason).sort()).toEqual(['code', 'message']);
    }
    // Migration API v1 (web01)
    expect(find(v, 'domain', 'web01', 'acme.com')).toMatchObject({ status: 'auto-approved', codes: [] });
    expect(find(v, 'domain', 'web01', 'acme-parked.net')).toMatchObject({
      status: 'manual-approval-required',
      codes: ['no-hosting-subscription', 'parking-offered'],
    });
    expect(find(v, 'subscription', 'web01', 'g2')).toMatchObject({
      status: 'approved',
      codes: ['protective'],
    });
    expect(find(v, 'domain', 'web01', 'beta.com')).toMatchObject({
      status: 'verification-failed',
      codes: ['several-hosting-subscriptions'],
    });
    expect(find(v, 'domain', 'web01', 'gamma.com')).toMatchObject({
      status: 'verification-failed',
      codes: ['unmapped-subscriptions'],
    });
    expect(find(v, 'subscription', 'web01', 's3')).toMatchObject({ status: 'rejected', codes: ['expired'] });
    expect(find(v, 'subscription', 'web01', 'u1')).toMatchObject({
      status: 'rejected',
      codes: ['not-mapped'],
    });
    expect(find(v, 'domain', 'web01', 'shared.com')).toMatchObject({
      status: 'verification-failed',
      codes: ['hosting-on-several-servers'],
    });
    expect(find(v, 'account', 'web01', 'r1')).toMatchObject({ status: 'verified' });
    expect(find(v, 'account', 'web01', 'c1').codes).toEqual(['waits-for-reseller', 'domain-failed']);
    expect(find(v, 'account', 'web01', 'a1')).toMatchObject({ status: 'verified' });
    // Migration API v2 (web02)
    expect(find(v, 'subscription', 'web02', 'sub 1')).toMatchObject({
      status: 'rejected',
      codes: ['no-external-id'],
    });
    expect(find(v, 'subscription', 'web02', 'x1')).toMatchObject({
      status: 'rejected',
      codes: ['resource-with-domains'],
    });
    expect(find(v, 'subscription', 'web02', 'reg-empty')).toMatchObject({
      status: 'rejected',
      codes: ['registration-without-domain'],
    });
    expect(find(v, 'domain', 'web02', 'kappa.com')).toMatchObject({
      status: 'verification-failed',
      codes: ['no-suitable-subscription'],
    });
    expect(find(v, 'domain', 'web02', 'shared.com').codes).toEqual(['hosting-on-several-servers']);
    const text = (await ok('verify', '--explain')).stdout;
    expect(text).toMatch(/domain web01\/beta\.com: verification-failed/);
    expect(text).toContain('fix: Mark every hosting subscription but one as not migrated');
  });

  it('decide override / approve / unselect re-verify incrementally; list shows them; undo goes back', async () => {
    const override = JSON.parse(
      (await ok('decide', 'override', 's2b', '--not-migrated', '--json')).stdout,
    ) as {
      decision: { id: string; author: string; before: unknown; after: unknown };
      reverified: { changed: number; recomputed: number };
    };
    expect(override.decision.before).toEqual({ kind: 'override', notMigrated: false });
    expect(override.decision.after).toEqual({ kind: 'override', notMigrated: true });
    expect(override.reverified.changed).toBeGreaterThan(0);
    expect(override.reverified.recomputed).toBeLessThan(10);
    const approve = await ok('decide', 'approve', 'acme-parked.net', '--park');
    expect(approve.stdout).toMatch(/Re-verified what it touched/);
    await ok('decide', 'unselect', 'shared.com', '--server', 'web02');

    let v = await verify();
    expect(find(v, 'domain', 'web01', 'beta.com').status).toBe('auto-approved');
    expect(find(v, 'subscription', 'web01', 's2b').status).toBe('not-migrated');
    expect(find(v, 'domain', 'web01', 'acme-parked.net').status).toBe('manually-approved');
    expect(find(v, 'domain', 'web01', 'shared.com').status).toBe('auto-approved');
    expect(v.results.some((r) => r.server === 'web02' && r.id === 'shared.com')).toBe(false);

    const list = JSON.parse((await ok('decide', 'list', '--json')).stdout) as {
      id: string;
      input: { kind: string };
      author: string;
      time: string;
    }[];
    expect(list.map((d) => d.input.kind)).toEqual(['unselect', 'approve', 'override']);
    expect(list[0]?.author).toBeTruthy();
    expect((await ok('decide', 'list')).stdout).toContain('subscription s2b on web01 marked not migrated');

    await ok('decide', 'undo', override.decision.id);
    v = await verify();
    expect(find(v, 'domain', 'web01', 'beta.com').status).toBe('verification-failed');
    const again = await mm('decide', 'undo', override.decision.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already undone');
  });

  it('decide refuses what makes no sense, with exit codes scripts can tell apart', async () => {
    expect((await mm('decide', 'override', 's1')).code).toBe(2);
    expect((await mm('decide', 'unselect', 'acme.com')).code).toBe(2);
    expect((await mm('decide', 'approve', 'shared.com')).code).toBe(2); // on two servers: --server needed
    const notWaiting = await mm('decide', 'approve', 'acme.com');
    expect(notWaiting.code).toBe(1);
    expect(notWaiting.stderr).toContain('only a domain waiting for manual approval');
    expect((await mm('decide', 'override', 'nope', '--not-migrated')).code).toBe(1);
  });

  it('mapping export writes a file that mapping import reads into another project', async () => {
    const file = join(dataDir, 'mapping.json');
    expect((await ok('mapping', 'export', file)).stdout).toContain('Wrote 5 mapping(s)');
    await runMm(['--data-dir', dataDir, 'project', 'create', 'Second']);
    const second = (...args: string[]): Promise<CliRun> =>
      runMm(['--data-dir', dataDir, '--project', 'Second', ...args]);
    await second(
      'server',
      'add',
      'web01',
      '--local',
      '--root',
      join(dataDir, 'source-files'),
      '--kind',
      'linux',
      '--api',
      '1',
    );
    // web01.xml is a Migration API v1 inventory: a v2 server would refuse it.
    expect((await second('inventory', 'import', 'web01', join(dataDir, 'web01.xml'))).code).toBe(0);
    const imported = await second('mapping', 'import', file, '--json');
    expect(imported.code).toBe(0);
    const r = JSON.parse(imported.stdout) as { applied: unknown[]; failed: { serverId: string }[] };
    expect(r.applied).toHaveLength(2);
    expect(r.failed.map((f) => f.serverId)).toEqual(['web02', 'web02', 'web02']);
  });

  it('select clear leaves nothing to verify, and says so', async () => {
    await ok('select', 'clear');
    const out = (await ok('verify')).stdout;
    expect(out).toContain('Nothing is selected');
    expect((await verify()).results).toEqual([]);
    await ok('select', 'domains', 'acme.com', '--server', 'web01');
    const v = await verify();
    expect(v.results.map((r) => `${r.kind}:${r.id}`).sort()).toEqual([
      'account:a1',
      'domain:acme.com',
      'subscription:g1',
      'subscription:s1',
    ]);
  });
});
