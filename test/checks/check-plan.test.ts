/**
 * Which domains a check run looks at, from a plan and its journal (pure): only domains with a
 * step done on the target; their published sites, mailboxes and databases with the folder the
 * intent recorded; what the plan named not carried; IDN names in ASCII; nested site folders.
 * And how many stored runs are kept.
 */
import { describe, expect, it } from 'vitest';
import type { MigrationPlan, PlanStep, StepOutcome } from '../../shared/model/migration';
import { checkedDomains, nestedSites } from '../../electron/core/checks/check-plan';
import { keptRuns } from '../../electron/core/checks/check-store';
import type { CheckRun } from '../../shared/model/checks';
import { type JournalState, emptyState } from '../../electron/core/migration/journal';

const dom = (id: string): PlanStep['object'] => ({ kind: 'domain', serverId: 'web01', id });

function step(id: string, object: PlanStep['object'], payload: PlanStep['payload']): PlanStep {
  return { id, kind: payload.kind as PlanStep['kind'], object, label: id, dependsOn: [], payload };
}

const content = (
  id: string,
  domain: string,
  contentKind: 'site' | 'mailbox' | 'database',
  contentId: string,
): PlanStep =>
  step(id, dom(domain), {
    kind: 'content',
    contentId,
    contentKind,
    sourceDomainId: domain,
    domainName: domain,
    placeStep: 'x',
  });

const PLAN: MigrationPlan = {
  fingerprint: 'f',
  excluded: [],
  steps: [
    content('a/site', 'bäcker.test', 'site', 'site:bäcker.test'),
    content('a/box', 'bäcker.test', 'mailbox', 'mailbox:Ann@xn--bcker-gra.test'),
    content('a/db', 'bäcker.test', 'database', 'database:mysql:shop'),
    content('a/box2', 'bäcker.test', 'mailbox', 'mailbox:bob@xn--bcker-gra.test'),
    step('a/nc', dom('bäcker.test'), { kind: 'not-carried', what: 'FTP user web', reason: 'only a hash' }),
    content('b/site', 'other.test', 'site', 'site:other.test'),
  ],
  objects: [
    {
      ref: dom('bäcker.test'),
      name: 'Bäcker.test',
      related: [],
      steps: ['a/site', 'a/box', 'a/db', 'a/box2', 'a/nc'],
    },
    { ref: dom('other.test'), name: 'other.test', related: [], steps: ['b/site'] },
    { ref: dom('never.test'), name: 'never.test', related: [], steps: ['c/domain'] },
  ],
};

function journal(done: readonly string[], failed: readonly string[] = []): JournalState {
  const state = emptyState();
  const at = '2026-11-30T00:00:00Z';
  for (const [id, path] of [
    ['a/site', '/v/1/webspace/httpdocs'],
    ['a/box', '/m/xn--bcker-gra.test/ann/Maildir'],
    ['b/site', '/v/1/webspace/httpdocs/other.test'],
  ] as const)
    state.intents.set(id, { job: 'j', intent: { chosen: { node: 'n', path }, attempt: 1 } });
  state.intents.set('a/db', { job: 'j', intent: { chosen: { node: 'n', database: 'shop' }, attempt: 1 } });
  const outcome = (s: StepOutcome['state']): StepOutcome => ({ state: s, ids: {}, via: 'call', at });
  for (const id of done) state.outcomes.set(id, { job: 'j', epoch: 1, outcome: outcome('done') });
  for (const id of failed) state.outcomes.set(id, { job: 'j', epoch: 1, outcome: outcome('failed') });
  return state;
}

describe('checkedDomains', () => {
  it('takes domains with a done step, their published content and what was not carried', () => {
    const domains = checkedDomains(PLAN, journal(['a/site', 'a/box', 'a/db', 'b/site'], ['a/box2']));
    expect(domains.map((d) => d.name)).toEqual(['xn--bcker-gra.test', 'other.test']);
    const [a] = domains;
    expect(a?.content).toEqual([
      {
        contentId: 'site:bäcker.test',
        kind: 'site',
        name: 'xn--bcker-gra.test',
        path: '/v/1/webspace/httpdocs',
      },
      {
        contentId: 'mailbox:Ann@xn--bcker-gra.test',
        kind: 'mailbox',
        name: 'ann@xn--bcker-gra.test',
        path: '/m/xn--bcker-gra.test/ann/Maildir',
      },
      { contentId: 'database:mysql:shop', kind: 'database', name: 'mysql:shop' },
    ]);
    expect([...(a?.notCarried ?? [])]).toEqual([['FTP user web', 'only a hash']]);
  });

  it('filters by name in any IDN form, and finds nested site folders', () => {
    const j = journal(['a/site', 'b/site']);
    expect(checkedDomains(PLAN, j, ['BÄCKER.test']).map((d) => d.domainId)).toEqual(['bäcker.test']);
    expect(checkedDomains(PLAN, j, ['xn--bcker-gra.test']).map((d) => d.domainId)).toEqual(['bäcker.test']);
    expect(checkedDomains(PLAN, journal([]))).toEqual([]);
    expect(
      nestedSites('/v/1/webspace/httpdocs', [
        '/v/1/webspace/httpdocs',
        '/v/1/webspace/httpdocs/other.test',
        '/v/10/x',
      ]),
    ).toEqual(['other.test']);
  });
});

describe('keptRuns', () => {
  const run = (n: number, domains: number): CheckRun => ({
    runId: `r${n}`,
    at: '2026-11-30T00:00:00Z',
    trigger: 'manual',
    domains: Array.from({ length: domains }, (_, i) => ({
      domain: `d${i}.test`,
      domainId: `d${i}.test`,
      server: 'web01',
      status: 'pass' as const,
      checks: [],
      checkedAt: '2026-11-30T00:00:00Z',
    })),
    counts: { pass: domains, warn: 0, fail: 0 },
  });

  it('keeps the last 10 runs, fewer when they hold more than 50,000 domain results, never none', () => {
    expect(keptRuns(Array.from({ length: 12 }, (_, i) => run(i, 1))).map((r) => r.runId)).toEqual(
      Array.from({ length: 10 }, (_, i) => `r${i + 2}`),
    );
    expect(keptRuns([run(1, 30_000), run(2, 20_000), run(3, 20_000)]).map((r) => r.runId)).toEqual([
      'r2',
      'r3',
    ]);
    expect(keptRuns([run(1, 10), run(2, 60_000)]).map((r) => r.runId)).toEqual(['r2']);
  });
});
