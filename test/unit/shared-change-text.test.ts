import { describe, expect, it } from 'vitest';
import { sharedChangeText } from '../../renderer/components/shared-change-note';
import type { SharedChange } from '../../shared/model/project-changes';

const base: SharedChange = {
  projectId: 'p',
  part: 'decisions',
  by: [],
  writes: 1,
  rows: 0,
  at: '2026-11-30T20:00:00.000Z',
};

describe('the note under a page that another engineer changed', () => {
  it('names the writers without their process ids, once each', () => {
    const text = sharedChangeText({ ...base, by: ['alice@ws3:4711', 'alice@ws3:4712', 'bob@ws4:9'] });
    expect(text).toMatch(/^alice@ws3, bob@ws4 changed the decisions /);
  });
  it('says "a worker" for a unit change that names nobody', () => {
    expect(sharedChangeText({ ...base, part: 'migration' })).toMatch(/^a worker changed a batch /);
  });
  it('says a catch-up after a reconnect is a re-read, not a worker', () => {
    const text = sharedChangeText({ ...base, part: 'selection', writes: 0, catchUp: true });
    expect(text).toMatch(/^Reconnected to the shared database .*: the selection re-read/);
    expect(text).not.toMatch(/worker/);
  });
});
