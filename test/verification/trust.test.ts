/**
 * What the engineer is shown must be what is true: a fix's preview lists every status it
 * changes (the same incremental pass that applies it), and bulk selection never silently
 * reverses a recorded "unselect" decision.
 */
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/handlers';
import type { Core } from '../../electron/core/core';
import type { CallChannel, CallRequest, CallResponse } from '../../shared/contract';
import { DEMO, SPHERA, verifiedDemo } from '../helpers/demo-project';

async function call<C extends CallChannel>(
  core: Core,
  channel: C,
  request: CallRequest<C>,
): Promise<CallResponse<C>> {
  const r = await dispatch(core, channel, request);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value as CallResponse<C>;
}

async function status(core: Core, kind: 'domain' | 'subscription' | 'account', id: string) {
  return (await core.verification.get(DEMO, { kind, serverId: SPHERA, id }))?.status ?? null;
}

describe('a fix shows what else it changes before it is applied', () => {
  it('"mark S-212 not migrated" names zahn-termin.test turning from manual approval to failed, and is right', async () => {
    const core = await verifiedDemo();
    const decision = { kind: 'override', serverId: SPHERA, subscriptionId: 'S-212' } as const;
    const preview = await call(core, 'decisions:preview', { projectId: DEMO, decision });
    expect(preview.current).toBe(true);
    const zahn = preview.effects.find((e) => e.id === 'zahn-termin.test');
    expect(zahn).toMatchObject({
      kind: 'domain',
      subject: false,
      before: 'manual-approval-required',
      after: 'verification-failed',
    });
    expect(preview.effects.find((e) => e.subject)).toMatchObject({ id: 'S-212', kind: 'subscription' });
    // Nothing was stored by the preview.
    expect(await status(core, 'domain', 'zahn-termin.test')).toBe('manual-approval-required');
    expect((await core.decisions.list(DEMO)).length).toBe(0);

    // Applying it does exactly what the preview said, object by object.
    await call(core, 'decisions:apply', { projectId: DEMO, decision });
    for (const e of preview.effects)
      expect(await status(core, e.kind, e.id), `${e.kind} ${e.id}`).toBe(e.after);
  });

  it('says so instead of guessing when the results are out of date', async () => {
    const core = await verifiedDemo();
    await core.selection.change(DEMO, { mode: 'remove', target: { by: 'domains', ids: ['kiez-cafe.test'] } });
    const preview = await call(core, 'decisions:preview', {
      projectId: DEMO,
      decision: { kind: 'unselect', serverId: SPHERA, domainId: 'zahn-termin.test' },
    });
    expect(preview).toEqual({ current: false, effects: [] });
  });
});

describe('bulk selection respects recorded decisions', () => {
  it('"select all" keeps a domain an unselect decision removed; undoing the decision selects it again', async () => {
    const core = await verifiedDemo();
    const outcome = await call(core, 'decisions:apply', {
      projectId: DEMO,
      decision: { kind: 'unselect', serverId: SPHERA, domainId: 'zahn-termin.test' },
    });
    const view = await call(core, 'selection:set', {
      projectId: DEMO,
      mode: 'add',
      target: { by: 'all' },
    });
    expect(view.selected[SPHERA]?.domains).not.toContain('zahn-termin.test');
    expect(view.held).toEqual([
      { serverId: SPHERA, domainId: 'zahn-termin.test', decisionId: outcome.decision.id },
    ]);
    // Naming the domain explicitly does not reverse the decision either.
    const named = await call(core, 'selection:set', {
      projectId: DEMO,
      mode: 'add',
      target: { by: 'domains', ids: ['zahn-termin.test'] },
    });
    expect(named.selected[SPHERA]?.domains).not.toContain('zahn-termin.test');
    // The decision is still in force, so its undo is still possible and restores the selection.
    await call(core, 'decisions:undo', { projectId: DEMO, decisionId: outcome.decision.id });
    const after = await call(core, 'selection:get', { projectId: DEMO });
    expect(after.selected[SPHERA]?.domains).toContain('zahn-termin.test');
    expect(after.held).toEqual([]);
  });
});

describe('a re-mapping must be complete', () => {
  it('records nothing when the re-mapping lacks its ids, and says which', async () => {
    const core = await verifiedDemo();
    const r = await dispatch(core, 'decisions:apply', {
      projectId: DEMO,
      decision: { kind: 'remap', mapping: { serverId: SPHERA, templateId: 'sph-basic', class: 'hosting' } },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('mapping-incomplete');
      expect(r.error.message).toContain('POA service template, PBA service plan');
    }
    expect(await core.decisions.list(DEMO)).toEqual([]);
    expect((await core.mapping.find(DEMO, SPHERA, 'sph-basic'))?.poaTemplateId).toBe(1);
  });
});

describe('fix buttons', () => {
  it('an approved domain no longer offers Approve, and no fix is offered twice', async () => {
    const core = await verifiedDemo();
    const before = await call(core, 'verification:detail', {
      projectId: DEMO,
      kind: 'domain',
      serverId: SPHERA,
      id: 'zahn-termin.test',
    });
    const labels = (d: typeof before): string[] => d.reasons.flatMap((x) => x.offers.map((o) => o.label));
    expect(labels(before)).toContain('Approve zahn-termin.test');
    for (const reason of before.reasons)
      expect(new Set(reason.offers.map((o) => o.label)).size).toBe(reason.offers.length);
    await call(core, 'decisions:apply', {
      projectId: DEMO,
      decision: { kind: 'approve', serverId: SPHERA, domainId: 'zahn-termin.test' },
    });
    const after = await call(core, 'verification:detail', {
      projectId: DEMO,
      kind: 'domain',
      serverId: SPHERA,
      id: 'zahn-termin.test',
    });
    expect(after.result.status).toBe('manually-approved');
    expect(labels(after).filter((l) => l.startsWith('Approve'))).toEqual([]);
  });
});
