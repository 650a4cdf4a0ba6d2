import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/core';
import { DEMO, SPHERA, verifiedDemo } from '../helpers/demo-project';

const P = DEMO;

describe('per-object history', () => {
  let core: Core;
  beforeAll(async () => {
    core = await verifiedDemo();
  });

  it("tells a domain's story: inventory, verification over time, the decision, a comment", async () => {
    const before = await core.verification.rows(P, {
      kind: 'domain',
      serverId: SPHERA,
      search: 'zahn-termin',
    });
    expect(before.rows[0]?.status).toBe('manual-approval-required');
    await core.decisions.apply(P, { kind: 'approve', serverId: SPHERA, domainId: 'zahn-termin.test' }, 'ann');
    await core.review.comment(
      P,
      { kind: 'domain', id: 'zahn-termin.test', serverId: SPHERA },
      'Parked on purpose',
      'bob',
    );

    const history = await core.history.of(P, 'domain', SPHERA, 'zahn-termin.test');
    expect(history.map((h) => h.source)).toEqual([
      'inventory',
      'verification',
      'decision',
      'verification',
      'comment',
    ]);
    expect(history[1]?.title).toMatch(/Manual approval required/i);
    expect(history[2]).toMatchObject({ by: 'ann' });
    expect(history[3]?.title).toMatch(/was Manual approval required/i);
    expect(history[4]).toMatchObject({ by: 'bob', title: 'Parked on purpose' });
  });

  it('adds nothing when an unchanged project is verified again', async () => {
    const count = (await core.history.of(P, 'domain', SPHERA, 'kiez-cafe.test')).length;
    await core.verification.run(P);
    expect((await core.history.of(P, 'domain', SPHERA, 'kiez-cafe.test')).length).toBe(count);
  });
});
