import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/core';
import { DEMO, SPHERA, verifiedDemo } from '../helpers/demo-project';
import { runMm } from '../helpers/processes';
import { readProjectText } from '../helpers/store-under-test';

describe('warnings from domainServicesInfo (TARGET-API.md traps)', () => {
  let core: Core;
  beforeAll(async () => {
    core = await verifiedDemo();
  });

  it('fetches the services of the selected domains through the real agent, and verification warns', async () => {
    const before = await core.verification.rows(DEMO, {
      kind: 'domain',
      serverId: SPHERA,
      search: 'kiez-cafe',
    });
    expect(before.rows[0]?.reasonCodes ?? []).not.toContain('mail-aliases');

    const selected = (await core.selection.get(DEMO)).selected[SPHERA]?.domains ?? [];
    const r = await core.domainServices.fetch(DEMO, SPHERA, selected);
    expect(r.domains).toBe(selected.length);
    expect((await core.verification.summary(DEMO)).stale).toBe(true);

    await core.verification.run(DEMO);
    const kiez = await core.verification.detail(DEMO, 'domain', SPHERA, 'kiez-cafe.test', []);
    const codes = kiez.reasons.map((x) => x.code);
    expect(codes).toEqual(
      expect.arrayContaining(['mail-aliases', 'password-ampersand-domain', 'wildcard-subdomain']),
    );
    expect(kiez.reasons.find((x) => x.code === 'mail-aliases')?.message).toContain('info@kiez-cafe.test');
    expect(kiez.reasons.find((x) => x.code === 'password-ampersand-domain')?.message).toMatch(
      /mailbox kai@kiez-cafe\.test/,
    );
    // Warnings inform; they do not stop the domain.
    expect(kiez.result.status).toBe('auto-approved');
  });

  it('comes out of mm inventory services', async () => {
    const r = await runMm([
      'inventory',
      'services',
      SPHERA,
      '--domains',
      'havel-yachts.test',
      '--json',
      '--project',
      DEMO,
      '--data-dir',
      core.info.dataDir,
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      domains: 1,
      warnings: 0,
      perDomain: { 'havel-yachts.test': { records: 0, mailboxes: 1, databases: 0, ftpUsers: 0 } },
    });
    expect(r.stderr).toContain('domainServicesInfo havel-yachts.test');
  });

  it('stores facts only: no password reaches the project folder', async () => {
    const text = await readProjectText(join(core.projects.projectDir(DEMO), 'domain-services.json'));
    expect(text).toContain('kiez-cafe.test');
    for (const secret of ['latte&art', 'db&pass', 'Orders1']) expect(text).not.toContain(secret);
  });
});
