/**
 * Deployment over SOAP: an agent installed from agent.tar and serving an older version is
 * replaced with the manager's package (Install) when it was started with --allow-update, and
 * restarts on it; without that flag, or with a package that is not an agent's, it is refused
 * and nothing on the server changes.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { packAgent } from '../../agents/pack.mjs';
import { type Core, createCore } from '../../electron/core/core';
import { bundledAgentVersion } from '../../electron/core/agent/agent-communicator';
import { SoapAgentCommunicator } from '../../electron/core/agent/soap-agent';
import { buildRequest, soapAction } from '../../electron/core/agent/soap-envelope';
import { failure } from '../helpers/failure';
import { tempDir } from '../helpers/paths';
import { freePort } from '../helpers/sshd';
import { type ServedAgent, serveAgent } from './served-agent';

/** agent.tar unpacked into a folder of its own, its agent.pl claiming version 0.0.1. */
async function installOldAgent(): Promise<string> {
  const dir = await tempDir('mm-soap-installed-');
  const packed = packAgent('linux', await tempDir('mm-soap-pack-'));
  execFileSync('tar', ['-xf', packed.tarPath, '-C', dir]);
  const script = join(dir, 'agent.pl');
  const text = await readFile(script, 'utf8');
  await writeFile(script, text.replace(/our \$VERSION = '[0-9.]+';/, "our $VERSION = '0.0.1';"));
  return dir;
}

describe('deploying the agent over SOAP', () => {
  let core: Core;
  let projectId: string;
  let root: string;
  let served: ServedAgent | undefined;
  let bundled: string;

  beforeAll(async () => {
    root = await tempDir('mm-soap-deploy-layout-');
    buildDemoLayout(root);
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
    projectId = (await core.projects.create('SOAP deploy')).id;
    bundled = await bundledAgentVersion('linux');
  });
  afterEach(async () => {
    await served?.kill();
    served = undefined;
  });

  const register = (name: string, agent: ServedAgent) =>
    core.servers.add(projectId, {
      name,
      kind: 'linux',
      connection: { type: 'soap', url: agent.url },
      credentials: { token: agent.token },
    });

  it('replaces an older agent started with --allow-update; it restarts on the new code', async () => {
    const dir = await installOldAgent();
    served = await serveAgent('linux', {
      root,
      script: join(dir, 'agent.pl'),
      port: await freePort(),
      allowUpdate: true,
    });
    await register('old', served);
    const before = await core.servers.test(projectId, 'old');
    expect(before.agent).toMatchObject({ installedVersion: '0.0.1', upToDate: false });
    const fetched = await core.inventory.fetch(projectId, 'old');
    expect(fetched.deployed).toBe(true);
    expect(fetched.summary.domains).toBeGreaterThan(0);
    const after = await core.servers.test(projectId, 'old');
    expect(after.agent).toMatchObject({ installedVersion: bundled, upToDate: true });
    expect(await readFile(join(dir, 'agent.pl'), 'utf8')).toContain(`our $VERSION = '${bundled}';`);
    expect(served.stderr()).toMatch(/installed /);
    // Nothing of the staging is left beside the agent.
    expect(execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).split('\n').filter(Boolean).sort()).toEqual(
      ['README.md', 'agent.manifest', 'agent.pl', 'lib', 'xsd'].sort(),
    );
  });

  it('an older agent started without --allow-update is refused with the recipe; nothing changes', async () => {
    const dir = await installOldAgent();
    const script = await readFile(join(dir, 'agent.pl'), 'utf8');
    served = await serveAgent('linux', { root, script: join(dir, 'agent.pl') });
    await register('locked', served);
    const e = await failure(core.inventory.fetch(projectId, 'locked'));
    expect(e).toMatchObject({ code: 'agent-outdated' });
    expect(e.message).toContain('0.0.1');
    expect(e.message).toContain('--allow-update');
    expect(await readFile(join(dir, 'agent.pl'), 'utf8')).toBe(script);
  });

  it('a package that is not an agent package is refused before anything is replaced', async () => {
    const dir = await installOldAgent();
    const script = await readFile(join(dir, 'agent.pl'), 'utf8');
    served = await serveAgent('linux', { root, script: join(dir, 'agent.pl'), allowUpdate: true });
    const agent = served;
    const evilDir = await tempDir('mm-soap-evil-');
    await writeFile(join(evilDir, 'x'), 'x');
    const evil = join(evilDir, 'evil.tar');
    execFileSync('tar', ['-cf', evil, '-C', evilDir, '--transform', 's,^x$,../escape,', 'x']);
    const evilTar = await readFile(evil);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = buildRequest('Install', { package: evilTar });
      request(
        agent.url,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'text/xml',
            SOAPAction: soapAction('Install'),
            Authorization: `Bearer ${agent.token}`,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      )
        .on('error', reject)
        .end(body);
    });
    expect(answer.status, answer.body).toBe(500);
    expect(answer.body).toContain('the package was refused');
    expect(answer.body).toContain("member '../escape' is not part of an agent package");
    expect(await readFile(join(dir, 'agent.pl'), 'utf8')).toBe(script);
    // The agent still answers, as the version it was.
    const still = new SoapAgentCommunicator(
      { url: agent.url, token: agent.token, tls: { mode: 'ask' } },
      { agent: 'linux', apiVersion: 2 },
    );
    expect((await still.version()).version).toBe('0.0.1');
  });
});
