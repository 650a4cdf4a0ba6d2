import { type Core, createCore } from '../../electron/core/core';
import { ensureDemoProject } from '../../electron/core/demo';
import { tempDir } from './paths';

export const DEMO = 'demo-migration';
export const SPHERA = 'demo-sphera-server';

/**
 * The built-in demo project in a fresh data dir, its Sphera server's templates mapped by hand
 * (no target: the mappings are stored unverified), everything on it selected and verified.
 */
export async function verifiedDemo(): Promise<Core> {
  const core = createCore({ dataDir: await tempDir(), shell: 'test' });
  await ensureDemoProject(core);
  await core.decisions.setMappings(DEMO, [
    { serverId: SPHERA, templateId: 'sph-basic', class: 'hosting', poaTemplateId: 1, pbaPlanId: 1 },
    { serverId: SPHERA, templateId: 'sph-business', class: 'hosting', poaTemplateId: 2, pbaPlanId: 2 },
    {
      serverId: SPHERA,
      templateId: 'sph-reg',
      class: 'registration',
      tlds: [{ tld: '.test', pbaPlanId: 10, registrarType: 'enom' }],
    },
  ]);
  await core.selection.change(DEMO, { mode: 'add', target: { by: 'all' }, serverId: SPHERA });
  await core.verification.run(DEMO);
  return core;
}
