import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/handlers';
import { type Core, createCore } from '../../electron/core/core';
import { attachDemoTarget } from '../../electron/sandbox/demo-target';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { targetSecretName } from '../../electron/core/target/target-settings';
import { tempDir } from '../helpers/paths';
import { customer, freshSandbox } from './fixtures';
import { readProjectText } from '../helpers/store-under-test';

describe('a project target: settings, secrets, test connection, browser', () => {
  let sandbox: RunningSandbox;
  let core: Core;
  let projectId: string;
  beforeAll(async () => {
    sandbox = await freshSandbox();
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
    projectId = (await core.projects.create('Target project')).id;
  });
  afterAll(() => sandbox.close());

  it('stores URLs and users in project.json and passwords only in the secret store', async () => {
    const view = await core.target.set(projectId, {
      poaUrl: sandbox.poaUrl,
      poaUser: 'poa-admin',
      poaPassword: 'poa-Secret&1',
      pbaUrl: sandbox.pbaUrl,
      pbaUser: 'pba-admin',
      pbaPassword: 'pba-Secret&2',
    });
    expect(view.poa).toEqual({ url: sandbox.poaUrl, user: 'poa-admin', hasPassword: true });
    expect(view.tlsFingerprint).toBeNull();
    const file = await readProjectText(join(core.projects.projectDir(projectId), 'project.json'));
    expect(file).toContain(sandbox.poaUrl);
    expect(file).not.toContain('Secret');
    expect(await core.secrets.get(targetSecretName(projectId, 'pba'))).toBe('pba-Secret&2');
    const log = await readProjectText(join(core.projects.projectDir(projectId), 'migration-log.jsonl'));
    expect(log).toContain('Target settings changed');
    expect(log).not.toContain('Secret');
  });

  it('keeps what is not given, clears what is given empty, normalises the fingerprint', async () => {
    const fp = 'ab'.repeat(32);
    const view = await core.target.set(projectId, { pbaUser: 'billing', tlsFingerprint: fp });
    expect(view.poa?.user).toBe('poa-admin');
    expect(view.pba).toEqual({ url: sandbox.pbaUrl, user: 'billing', hasPassword: true });
    expect(view.tlsFingerprint).toBe(Array(32).fill('AB').join(':'));
    const cleared = await core.target.set(projectId, {
      tlsFingerprint: '',
      poaPassword: '',
      pbaPassword: '',
      poaUser: '',
      pbaUser: '',
    });
    expect(cleared.tlsFingerprint).toBeNull();
    expect(cleared.poa?.hasPassword).toBe(false);
  });

  it('tests the connection: POA templates and PBA plans, with each side failing on its own', async () => {
    const result = await core.target.test(projectId);
    expect(result.poa.ok).toBe(true);
    expect(result.poa.items.map((t) => t.name)).toContain('Linux Hosting Business');
    expect(result.pba.items.filter((p) => p.category === 'domain')).toHaveLength(7);

    await core.target.set(projectId, { pbaUrl: 'http://127.0.0.1:1/RPC2' });
    const half = await core.target.test(projectId);
    expect(half.poa.ok).toBe(true);
    expect(half.pba.ok).toBe(false);
    expect(half.pba.error).toContain('PBA BM::PlanListAvailableGet_API');
    await core.target.set(projectId, { pbaUrl: sandbox.pbaUrl });
  });

  it('browses what the sandbox holds, through the contract', async () => {
    const poa = await core.target.poa(projectId);
    const accountId = await poa.addAccount(customer('browse@example.com'));
    const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 12 });
    await poa.addDomain({ subscription_id: sub, domain_name: 'browse.example' });
    const r = await dispatch(core, 'target:browse', { projectId });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const value = r.value as { available: boolean; tables: { key: string; rows: string[][] }[] };
    expect(value.available).toBe(true);
    expect(value.tables.find((t) => t.key === 'domains')?.rows.map((row) => row[1])).toContain(
      'browse.example',
    );
    expect(value.tables.find((t) => t.key === 'accounts')?.rows[0]?.[3]).toBe('Jane Doe (Doe GmbH)');
  });

  it('refuses bad input at the contract, naming the field', async () => {
    const bad = await dispatch(core, 'target:set', { projectId, poaUrl: 'ftp://x/RPC2' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input', where: 'poaUrl' } });
    const fp = await dispatch(core, 'target:set', { projectId, tlsFingerprint: 'xyz' });
    expect(fp).toMatchObject({ ok: false, error: { code: 'invalid-input', where: 'tlsFingerprint' } });
    const none = await dispatch(core, 'target:test', {
      projectId: (await core.projects.create('No target')).id,
    });
    expect(none.ok && (none.value as { poa: { error: string } }).poa.error).toContain('no POA target yet');
  });

  it('attaches the demo project to the running sandbox (and only the demo)', async () => {
    const demo = await core.projects.create('Demo migration', '', true);
    await attachDemoTarget(core, sandbox);
    const view = await core.target.get(demo.id);
    expect(view).toMatchObject({ sandbox: true, poa: { url: sandbox.poaUrl }, pba: { url: sandbox.pbaUrl } });
    expect((await core.target.get(projectId)).sandbox).toBe(false);
  });
});
