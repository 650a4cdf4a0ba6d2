/**
 * The services behind the contract: mapping checked against a live (sandbox) target,
 * suggestions, selection, verification runs with progress, resolution round-trips through
 * 'decisions:apply' / 'decisions:undo', and persistence across a restart.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/handlers';
import { type Core, createCore } from '../../electron/core/core';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import type { CallChannel, CallRequest, CallResponse, JobProgress } from '../../shared/contract';
import { freshSandbox } from '../target/fixtures';
import { tempDir } from '../helpers/paths';
import { readProjectDocument, readProjectText, storedVersion } from '../helpers/store-under-test';
import { v1Source, v2Source, writeInventory } from './fixtures';

describe('mapping, selection, verification and decisions through the contract', () => {
  let sandbox: RunningSandbox;
  let dataDir: string;
  let core: Core;
  let projectId: string;

  async function call<C extends CallChannel>(channel: C, request: CallRequest<C>): Promise<CallResponse<C>> {
    const r = await dispatch(core, channel, request);
    if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
    return r.value as CallResponse<C>;
  }
  async function failure(channel: CallChannel, request: unknown): Promise<{ code: string; message: string }> {
    const r = await dispatch(core, channel, request);
    if (r.ok) throw new Error(`${channel} should fail`);
    return r.error;
  }

  beforeAll(async () => {
    sandbox = await freshSandbox();
    dataDir = await tempDir();
    core = createCore({ dataDir, shell: 'test' });
    projectId = (await core.projects.create('Service test')).id;
    await core.target.set(projectId, { poaUrl: sandbox.poaUrl, pbaUrl: sandbox.pbaUrl });
    for (const [name, api, source] of [
      ['web01', 1, v1Source()],
      ['web02', 2, v2Source()],
    ] as const) {
      await core.servers.add(projectId, {
        name,
        kind: 'linux',
        apiVersion: api,
        connection: { type: 'local', root: dataDir },
      });
      await core.inventory.importFile(projectId, name, await writeInventory(dataDir, source, `${name}.xml`));
    }
  });
  afterAll(() => sandbox?.close());

  describe('mapping against the live target', () => {
    it('refuses ids the target does not have, or that do not fit the class', async () => {
      const bad = await failure('mapping:set', {
        projectId,
        mapping: {
          serverId: 'web01',
          templateId: 't-host',
          class: 'hosting',
          poaTemplateId: 999,
          pbaPlanId: 102,
        },
      });
      expect(bad).toMatchObject({ code: 'mapping-invalid' });
      expect(bad.message).toContain('POA has no service template 999');
      const mismatch = await failure('mapping:set', {
        projectId,
        mapping: {
          serverId: 'web01',
          templateId: 't-host',
          class: 'hosting',
          poaTemplateId: 12,
          pbaPlanId: 101,
        },
      });
      expect(mismatch.message).toContain('provisions POA template 11, not 12');
      const wrongTld = await failure('mapping:set', {
        projectId,
        mapping: {
          serverId: 'web01',
          templateId: 't-reg',
          class: 'registration',
          tlds: [{ tld: '.net', pbaPlanId: 201, registrarType: 'enom' }],
        },
      });
      expect(wrongTld.message).toContain('registers .com, not .net');
      expect(await call('mapping:list', { projectId, serverId: 'web01' })).toSatisfy(
        (rows: readonly { state: string }[]) => rows.every((r) => r.state === 'unmapped'),
      );
    });

    it('suggests by name and resources, stores nothing until accepted, then applies the accepted ones verified', async () => {
      const s = await call('mapping:suggest', { projectId, serverId: 'web01' });
      expect(s.targetReachable).toBe(true);
      const host = s.suggestions.find((x) => x.input.templateId === 't-host');
      expect(host?.input).toMatchObject({
        class: 'hosting',
        poaTemplateId: 12,
        pbaPlanId: expect.any(Number),
      });
      expect(host?.why.join(' ')).toContain('Linux Hosting Business');
      const reg = s.suggestions.find((x) => x.input.templateId === 't-reg');
      expect(reg?.input).toMatchObject({
        class: 'registration',
        tlds: [
          { tld: '.com', pbaPlanId: 201 },
          { tld: '.net', pbaPlanId: 202 },
        ],
      });
      expect((await call('mapping:list', { projectId })).filter((r) => r.mapping)).toHaveLength(0);
      const applied = await call('mapping:apply-suggestions', {
        projectId,
        mappings: [host, reg].flatMap((x) => (x ? [x.input] : [])),
        author: 'Reviewer Ann',
      });
      expect(applied.failed).toEqual([]);
      expect(applied.applied.map((m) => [m.templateId, m.check, m.updatedBy])).toEqual([
        ['t-host', 'verified', 'Reviewer Ann'],
        ['t-reg', 'verified', 'Reviewer Ann'],
      ]);
    });

    it('maps the v2 templates; a target that does not answer leaves the mapping "unverified"', async () => {
      for (const mapping of [
        {
          serverId: 'web02',
          templateId: 'p-host',
          class: 'hosting' as const,
          poaTemplateId: 12,
          pbaPlanId: 102,
        },
        { serverId: 'web02', templateId: 'p-res', class: 'resource' as const, pbaPlanId: 303 },
        {
          serverId: 'web02',
          templateId: 'p-reg',
          class: 'registration' as const,
          tlds: [{ tld: '.com', pbaPlanId: 201, registrarType: 'enom' }],
        },
      ])
        expect((await call('mapping:set', { projectId, mapping })).mapping.check).toBe('verified');
      const other = (await core.projects.create('Offline target')).id;
      await core.target.set(other, { poaUrl: 'http://127.0.0.1:9/RPC2', pbaUrl: 'http://127.0.0.1:9/RPC2' });
      await core.servers.add(other, {
        name: 'web01',
        kind: 'linux',
        apiVersion: 1,
        connection: { type: 'local', root: dataDir },
      });
      await core.inventory.importFile(other, 'web01', join(dataDir, 'web01.xml'));
      const r = await core.decisions.setMapping(other, {
        serverId: 'web01',
        templateId: 't-host',
        class: 'hosting',
        poaTemplateId: 999,
        pbaPlanId: 999,
      });
      expect(r.mapping).toMatchObject({ check: 'unverified', poaTemplateId: 999 });
      expect(r.mapping.checkNote).toBeTruthy();
    });

    it('exports the mapping as JSON content and imports it back (no file paths cross the contract)', async () => {
      const exported = await call('mapping:export', { projectId });
      expect(JSON.parse(exported.content)).toMatchObject({ format: 'migration-manager/mapping', version: 1 });
      const again = await call('mapping:import', { projectId, content: exported.content });
      expect(again.applied).toHaveLength(5);
      expect(await core.decisions.list(projectId)).toEqual([]); // identical mappings are no re-mapping
      expect((await failure('mapping:import', { projectId, content: '{"format":"other"}' })).code).toBe(
        'mapping-file-invalid',
      );
    });
  });

  describe('selection', () => {
    it('selects by template, by filter and by server, and clears', async () => {
      let view = await call('selection:set', {
        projectId,
        mode: 'add',
        serverId: 'web01',
        target: { by: 'template', templateId: 't-reg' },
      });
      expect(view.selected['web01']).toEqual({ accounts: ['a1'], domains: ['acme.com', 'acme-parked.net'] });
      view = await call('selection:set', {
        projectId,
        mode: 'add',
        target: { by: 'filter', filter: { search: 'beta' } },
      });
      expect(view.selected['web01']?.accounts).toContain('a2');
      view = await call('selection:set', { projectId, mode: 'clear' });
      expect(view.servers.map((s) => s.accounts)).toEqual([0, 0]);
      expect(
        (
          await failure('selection:set', {
            projectId,
            mode: 'add',
            target: { by: 'accounts', ids: ['nobody'] },
          })
        ).code,
      ).toBe('object-not-found');
      view = await call('selection:set', { projectId, mode: 'add', target: { by: 'all' } });
      expect(view.servers).toEqual([
        { serverId: 'web01', accounts: 5, domains: 5, totalAccounts: 5, totalDomains: 5 },
        { serverId: 'web02', accounts: 1, domains: 2, totalAccounts: 1, totalDomains: 2 },
      ]);
    });
  });

  describe('verification', () => {
    it('runs as a job with progress events, stores results, and announces them', async () => {
      const events: string[] = [];
      const off = core.events.subscribe((event, payload) => {
        if (event === 'jobs:progress') events.push(`progress:${(payload as JobProgress).state}`);
        if (event === 'verification:changed') events.push('changed');
      });
      const { jobId } = await call('verification:run', { projectId });
      expect(jobId).toBeTruthy();
      await new Promise<void>((resolve) => {
        const stop = core.events.subscribe((event, payload) => {
          if (
            event === 'jobs:progress' &&
            (payload as JobProgress).jobId === jobId &&
            (payload as JobProgress).state === 'done'
          ) {
            stop();
            resolve();
          }
        });
      });
      off();
      expect(events).toContain('progress:running');
      expect(events).toContain('changed');
      const summary = await call('verification:summary', { projectId });
      expect(summary.stale).toBe(false);
      expect(summary.counts.domain).toMatchObject({ 'auto-approved': 1, 'manual-approval-required': 1 });
      expect(summary.reasons['hosting-on-several-servers']).toBe(2);
    });

    it('serves table rows filtered by status, reason, server and template', async () => {
      const failed = await call('verification:results', {
        projectId,
        kind: 'domain',
        status: 'verification-failed',
      });
      expect(failed.rows.map((r) => r.id).sort()).toEqual([
        'beta.com',
        'gamma.com',
        'kappa.com',
        'shared.com',
        'shared.com',
      ]);
      const conflicts = await call('verification:results', {
        projectId,
        reason: 'hosting-on-several-servers',
        serverId: 'web02',
      });
      expect(conflicts.rows).toMatchObject([
        { id: 'shared.com', reasonCodes: ['hosting-on-several-servers'] },
      ]);
      const byTemplate = await call('verification:results', {
        projectId,
        kind: 'subscription',
        templateId: 't-host',
        limit: 2,
      });
      expect(byTemplate.total).toBe(5);
      expect(byTemplate.rows).toHaveLength(2);
      expect((await failure('verification:results', { projectId, status: 'nonsense' })).code).toBe(
        'invalid-input',
      );
    });

    it('details say why, quote the seed, give the fix and the decisions that apply it', async () => {
      const d = await call('verification:detail', {
        projectId,
        kind: 'domain',
        serverId: 'web01',
        id: 'shared.com',
      });
      expect(d.reasons[0]).toMatchObject({
        code: 'hosting-on-several-servers',
        seed: 'Found several hosting subscriptions on different source servers.',
      });
      expect(d.reasons[0]?.offers).toContainEqual(
        expect.objectContaining({
          action: 'unselect',
          decision: { kind: 'unselect', serverId: 'web02', domainId: 'shared.com' },
        }),
      );
      const beta = await call('verification:detail', {
        projectId,
        kind: 'domain',
        serverId: 'web01',
        id: 'beta.com',
      });
      expect(beta.reasons[0]?.offers.map((o) => o.decision)).toEqual([
        { kind: 'override', serverId: 'web01', subscriptionId: 's2' },
        { kind: 'override', serverId: 'web01', subscriptionId: 's2b' },
      ]);
      const parked = await call('verification:detail', {
        projectId,
        kind: 'domain',
        serverId: 'web01',
        id: 'acme-parked.net',
      });
      expect(parked.reasons[0]?.offers.map((o) => o.label)).toEqual([
        'Approve acme-parked.net with parking',
        'Approve acme-parked.net',
        'Map template Domain registration (t-reg)',
      ]);
      const gamma = await call('verification:detail', {
        projectId,
        kind: 'domain',
        serverId: 'web01',
        id: 'gamma.com',
      });
      expect(gamma.reasons[0]?.offers).toContainEqual(
        expect.objectContaining({ action: 'remap', template: { serverId: 'web01', templateId: 't-legacy' } }),
      );
    });
  });

  describe('resolution round-trips', () => {
    const status = async (
      kind: 'domain' | 'subscription' | 'account',
      serverId: string,
      id: string,
    ): Promise<string> =>
      (await call('verification:detail', { projectId, kind, serverId, id })).result.status;

    it('override: fix → re-verify → status changes; undo → back', async () => {
      const applied = await call('decisions:apply', {
        projectId,
        decision: { kind: 'override', serverId: 'web01', subscriptionId: 's2b' },
        author: 'Ann',
      });
      expect(applied.decision).toMatchObject({
        author: 'Ann',
        before: { notMigrated: false },
        after: { notMigrated: true },
      });
      expect(applied.reverified?.recomputed).toBeLessThan(10);
      expect(await status('domain', 'web01', 'beta.com')).toBe('auto-approved');
      expect(await status('account', 'web01', 'a2')).toBe('verified');
      const undone = await call('decisions:undo', {
        projectId,
        decisionId: applied.decision.id,
        author: 'Bob',
      });
      expect(undone.decision.undone?.author).toBe('Bob');
      expect(await status('domain', 'web01', 'beta.com')).toBe('verification-failed');
      expect((await call('verification:summary', { projectId })).stale).toBe(false);
    });

    it('manual approval of a domain, with parking', async () => {
      await call('decisions:apply', {
        projectId,
        decision: { kind: 'approve', serverId: 'web01', domainId: 'acme-parked.net', park: true },
      });
      const d = await call('verification:detail', {
        projectId,
        kind: 'domain',
        serverId: 'web01',
        id: 'acme-parked.net',
      });
      expect(d.result).toMatchObject({
        status: 'manually-approved',
        plan: { park: true, registration: 'g2' },
      });
      expect(d.decisionIds).toHaveLength(1);
    });

    it('un-selecting a conflicting domain on the other source server', async () => {
      await call('decisions:apply', {
        projectId,
        decision: { kind: 'unselect', serverId: 'web02', domainId: 'shared.com' },
      });
      expect(await status('domain', 'web01', 'shared.com')).toBe('auto-approved');
      expect((await core.selection.get(projectId)).selected['web02']?.domains).toEqual(['kappa.com']);
    });

    it('re-mapping a template (recorded, undoable) and its incremental re-verification', async () => {
      const r = await call('mapping:set', {
        projectId,
        mapping: {
          serverId: 'web01',
          templateId: 't-legacy',
          class: 'hosting',
          poaTemplateId: 12,
          pbaPlanId: 102,
        },
      });
      expect(r.decision).toBeNull(); // a first mapping is set-up, not a decision
      expect(await status('subscription', 'web01', 'u1')).toBe('approved');
      const remap = await call('decisions:apply', {
        projectId,
        decision: {
          kind: 'remap',
          mapping: { serverId: 'web01', templateId: 't-legacy', class: 'resource', pbaPlanId: 301 },
        },
      });
      expect(remap.decision.before).toMatchObject({ kind: 'remap', mapping: { class: 'hosting' } });
      expect(remap.decision.after).toMatchObject({ kind: 'remap', mapping: { class: 'resource' } });
      // v1 knows no "resource with domains": gamma.com now has a resource subscription only (its hosting one expired).
      expect(await status('domain', 'web01', 'gamma.com')).toBe('manual-approval-required');
      await call('decisions:undo', { projectId, decisionId: remap.decision.id });
      expect((await core.mapping.find(projectId, 'web01', 't-legacy'))?.class).toBe('hosting');
    });

    it('a stale result set is not patched: the decision is recorded and verification says it is stale', async () => {
      await core.servers.updateSettings(projectId, 'web01', { protectiveDays: 5 });
      expect((await call('verification:summary', { projectId })).stale).toBe(true);
      const r = await call('decisions:apply', {
        projectId,
        decision: { kind: 'override', serverId: 'web02', subscriptionId: 'x1' },
      });
      expect(r.reverified).toBeNull();
      await core.servers.updateSettings(projectId, 'web01', { protectiveDays: 30 });
    });

    it('decisions persist across a restart, in their own file; the inventory file is never rewritten', async () => {
      const dir = core.projects.projectDir(projectId);
      expect((await call('verification:summary', { projectId })).stale).toBe(true); // the x1 override came while stale
      await core.verification.run(projectId);
      const inventoryBefore = await storedVersion(join(dir, 'inventory', 'web01.json'));
      const resultsBefore = await storedVersion(join(dir, 'verification.json'));
      const r = await call('decisions:apply', {
        projectId,
        decision: { kind: 'override', serverId: 'web01', subscriptionId: 's2' },
      });
      expect(r.reverified).not.toBeNull();
      expect(await storedVersion(join(dir, 'inventory', 'web01.json'))).toBe(inventoryBefore);
      // The decision's results go to the journal; the full results file is not rewritten.
      expect(await storedVersion(join(dir, 'verification.json'))).toBe(resultsBefore);
      expect(await readProjectText(join(dir, 'verification-changes.jsonl'))).toContain('"s2"');
      const onDisk = (await readProjectDocument(join(dir, 'decisions.json'))) as {
        log: unknown[];
        overrides: unknown[];
      };
      expect(onDisk.overrides).toContainEqual(
        expect.objectContaining({ serverId: 'web01', subscriptionId: 's2' }),
      );

      const restarted = createCore({ dataDir, shell: 'test' });
      const list = await restarted.decisions.list(projectId);
      expect(list.map((d) => d.input.kind)).toEqual([
        'override',
        'override',
        'remap',
        'unselect',
        'approve',
        'override',
      ]);
      expect(list.find((d) => d.author === 'Ann')?.undone?.author).toBe('Bob');
      // Results come back from the full file plus the journal, current without a new run.
      expect((await restarted.verification.summary(projectId)).stale).toBe(false);
      expect(
        (await restarted.verification.get(projectId, { kind: 'subscription', serverId: 'web01', id: 's2' }))
          ?.status,
      ).toBe('not-migrated');
      await restarted.verification.run(projectId);
      const beta = await restarted.verification.detail(projectId, 'domain', 'web01', 'beta.com');
      expect(beta.result.status).toBe('auto-approved'); // s2 overridden, s2b hosts it
      expect(
        (
          await restarted.verification.get(projectId, {
            kind: 'domain',
            serverId: 'web01',
            id: 'acme-parked.net',
          })
        )?.status,
      ).toBe('manually-approved');
    });
  });
});
