/**
 * The target page's content-nodes section through the contract (what the renderer calls): a
 * sandbox target on this machine offers its own web and mail nodes, which test green; a
 * target that is not a sandbox offers none, and a node test then names what to register.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/handlers';
import { type Core, createCore } from '../../electron/core/core';
import { type RunningSandbox, startSandbox } from '../../electron/sandbox/sandbox';
import { tempDir } from '../helpers/paths';

let sandbox: RunningSandbox;
let core: Core;

beforeAll(async () => {
  sandbox = await startSandbox({ dataDir: await tempDir('mm-nodes-api-sandbox-') });
  core = createCore({ dataDir: await tempDir('mm-nodes-api-'), shell: 'test' });
});
afterAll(() => sandbox.close());

describe('target:nodes and target:node-test', () => {
  it("lists the sandbox's own nodes under its data dir and tests them", async () => {
    const projectId = (await core.projects.create('Nodes')).id;
    await core.target.set(projectId, { poaUrl: sandbox.poaUrl, poaUser: 'admin', poaPassword: 'sandbox' });
    const nodes = await dispatch(core, 'target:nodes', { projectId });
    expect(nodes).toEqual({
      ok: true,
      value: [
        { role: 'web', via: 'sandbox', root: `${sandbox.dataDir}/nodes/web/vhosts` },
        { role: 'mail', via: 'sandbox', root: `${sandbox.dataDir}/nodes/mail` },
      ],
    });
    const tested = await dispatch(core, 'target:node-test', { projectId, role: 'web' });
    expect(tested).toMatchObject({
      ok: true,
      value: { role: 'web', root: `${sandbox.dataDir}/nodes/web/vhosts` },
    });
  });

  it('offers nothing for a target that is not a sandbox, and the test names what to do', async () => {
    const projectId = (await core.projects.create('No nodes')).id;
    await core.target.set(projectId, {
      poaUrl: 'http://127.0.0.1:9/RPC2',
      poaUser: 'admin',
      poaPassword: 'x',
    });
    expect(await dispatch(core, 'target:nodes', { projectId })).toEqual({ ok: true, value: [] });
    const tested = await dispatch(core, 'target:node-test', { projectId, role: 'db' });
    expect(tested).toMatchObject({
      ok: false,
      error: { code: 'node-not-configured', message: expect.stringContaining('mm target node add db') },
    });
    const bad = await dispatch(core, 'target:node-test', { projectId, role: 'ftp' });
    expect(bad.ok).toBe(false);
  });
});
