/**
 * A rehearsal record with a large holdings.json, written with the store's own writer (as a real
 * rehearsal's read-back writes it), for the tests that read, export and bundle it at 10× sizes.
 */
import type { RehearsalRecord, TargetHolding } from '../../shared/model/rehearsal';
import { type Core, createCore } from '../../electron/core/core';
import { tempDir } from './paths';
import { CreateCounter } from '../../electron/core/rehearsal/outcome';

export const HOLDING_KINDS_MADE = [
  'account',
  'domain',
  'mailbox',
  'dns-record',
  'ftp-user',
  'content',
] as const;

/** The i-th holding: text that needs escaping, some without an owner, an FTP password to mask. */
export function holdingAt(i: number): TargetHolding {
  const kind = HOLDING_KINDS_MADE[i % HOLDING_KINDS_MADE.length] as (typeof HOLDING_KINDS_MADE)[number];
  return {
    kind,
    key: `${kind} k${i}`,
    name: `name-${i} "q" ü`,
    ...(i % 3 === 0 ? {} : { owner: `Owner${i % 97}` }),
    fields:
      kind === 'ftp-user'
        ? { login: `ftp${i}`, password: `pw-${i}` }
        : kind === 'content'
          ? { files: '3', bytes: '100' }
          : { n: String(i) },
  };
}

/** The first n holdings, in pieces. */
export function* generated(n: number, piece = 2_000): Generator<readonly TargetHolding[]> {
  for (let i = 0; i < n; i += piece)
    yield Array.from({ length: Math.min(piece, n - i) }, (_, j) => holdingAt(i + j));
}

/** A finished rehearsal `id` of `n` holdings (holdingAt) in the project, with its counts. */
export async function makeLargeRehearsal(
  core: Core,
  projectId: string,
  id: string,
  n: number,
  createdAt = '2026-12-01T08:00:00.000Z',
): Promise<RehearsalRecord> {
  const record: RehearsalRecord = {
    id,
    projectId,
    createdAt,
    finishedAt: new Date(Date.parse(createdAt) + 30 * 60_000).toISOString(),
    author: 'engineer',
    state: 'done',
    fingerprint: 'f'.repeat(64),
    content: true,
    objects: { total: 10, migrated: 10, failed: 0 },
  };
  const store = core.rehearsals.store;
  await store.create(record);
  const counter = new CreateCounter();
  await store.saveHoldings(projectId, id, generated(n), (part) => counter.add(part));
  const done = { ...record, create: counter.counts(), holdingCounts: counter.holdingCounts() };
  await store.save(done);
  return done;
}

/**
 * A fresh data dir and core holding one project with the given rehearsals made large (each `n`
 * objects, created at `createdAt` when given): the set-up of the tests at scale.
 */
export async function projectWithLargeRehearsals(
  name: string,
  rehearsals: readonly { id: string; n: number; createdAt?: string }[],
): Promise<{ dataDir: string; core: Core; projectId: string }> {
  const dataDir = await tempDir('mm-at-scale-');
  const core = createCore({ dataDir, shell: 'test' });
  const projectId = (await core.projects.create(name)).id;
  for (const r of rehearsals) await makeLargeRehearsal(core, projectId, r.id, r.n, r.createdAt);
  return { dataDir, core, projectId };
}
