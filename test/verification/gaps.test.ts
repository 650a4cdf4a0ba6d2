/**
 * Cases the rules missed: a customer whose parent is not in the inventory, subscriptions that
 * are not active on the source (per the server's setting), expiry dates with a time zone, and
 * "expired" on the source with an expiry date still ahead.
 */
import { describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/core';
import { dayNumber } from '../../electron/core/verification/dates';
import { tempDir } from '../helpers/paths';
import { v1Source, writeInventory } from './fixtures';
import { HOSTING, Scenario, TODAY } from './scenario';

const hosted = (status: 'active' | 'suspended' | 'disabled' | 'pending', policy?: 'reject' | 'warn') =>
  new Scenario()
    .server('web01', 1, policy ? { inactivePolicy: policy } : {})
    .template('t-host', HOSTING)
    .account('a1')
    .subscription('s1', 'a1', 't-host', { status })
    .domain('x.com', 'a1', { hosting: 's1' })
    .selectAll()
    .verify();

describe('a customer whose parent account is not in the inventory', () => {
  it('fails with the parent named, and its subscriptions and domains with it', () => {
    const v = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('c1', { parentId: 'r-gone' })
      .subscription('s1', 'c1', 't-host')
      .domain('x.com', 'c1', { hosting: 's1' })
      .selectAll()
      .verify();
    expect(v.get('account', 'c1').status).toBe('verification-failed');
    expect(v.codes('account', 'c1')).toContain('parent-missing');
    expect(v.get('account', 'c1').reasons.find((r) => r.code === 'parent-missing')?.message).toContain(
      'r-gone',
    );
    expect(v.get('subscription', 's1').status).toBe('rejected');
    expect(v.codes('subscription', 's1')).toContain('owner-failed');
  });

  it('an account that names itself as parent is not "missing" its parent', () => {
    const v = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('c1', { parentId: 'c1' })
      .subscription('s1', 'c1', 't-host')
      .domain('x.com', 'c1', { hosting: 's1' })
      .selectAll()
      .verify();
    expect(v.codes('account', 'c1')).not.toContain('parent-missing');
  });
});

describe('subscriptions not active on the source', () => {
  for (const status of ['suspended', 'disabled', 'pending'] as const) {
    it(`${status}: rejected by default, naming the status`, () => {
      const v = hosted(status);
      expect(v.get('subscription', 's1').status).toBe('rejected');
      expect(v.codes('subscription', 's1')).toEqual(['inactive-on-source']);
      expect(v.get('subscription', 's1').reasons[0]?.message).toContain(status);
      expect(v.get('domain', 'x.com').status).not.toBe('auto-approved');
    });
  }

  it('migrated with a warning when the server says so', () => {
    const v = hosted('suspended', 'warn');
    expect(v.get('subscription', 's1').status).toBe('approved');
    expect(v.codes('subscription', 's1')).toEqual(['inactive-on-source-allowed']);
    expect(v.get('domain', 'x.com').status).toBe('auto-approved');
  });

  it('an active one has neither reason', () => {
    expect(hosted('active').codes('subscription', 's1')).toEqual([]);
  });
});

describe('expiry dates', () => {
  it('a date-time with an offset counts on its UTC day', () => {
    expect(dayNumber('2025-06-14T23:30:00-05:00')).toBe(dayNumber('2025-06-15'));
    expect(dayNumber('2025-06-15T01:00:00+02:00')).toBe(dayNumber('2025-06-14'));
    expect(dayNumber('2025-06-15T12:00:00Z')).toBe(dayNumber('2025-06-15'));
    // Without a zone the wall-clock day is all there is.
    expect(dayNumber('2025-06-14T23:30:00')).toBe(dayNumber('2025-06-14'));
    expect(dayNumber('2025-02-31T10:00:00+01:00')).toBeUndefined();
  });

  it('an offset that moves the expiry past today makes it expired today-1, not still valid', () => {
    // TODAY is 2025-06-15: 2025-06-15T01:00+02:00 is 2025-06-14T23:00Z, yesterday in UTC.
    const v = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('a1')
      .subscription('s1', 'a1', 't-host', { expires: '2025-06-15T01:00:00+02:00' })
      .domain('x.com', 'a1', { hosting: 's1' })
      .selectAll()
      .verify();
    expect(TODAY).toBe('2025-06-15');
    expect(v.codes('subscription', 's1')).toEqual(['protective']);
    expect(v.get('subscription', 's1').reasons[0]?.message).toContain('expired on 2025-06-14 (1 day(s) ago)');
  });

  it('"expired" with an expiry date still ahead is not "protective, expired 0 days ago": the dates disagree', () => {
    const v = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('a1')
      .subscription('s1', 'a1', 't-host', { status: 'expired', expires: '2025-09-01' })
      .domain('x.com', 'a1', { hosting: 's1' })
      .selectAll()
      .verify();
    expect(v.codes('subscription', 's1')).toEqual(['invalid-dates']);
    expect(v.get('subscription', 's1').status).toBe('rejected');
    expect(v.get('subscription', 's1').reasons[0]?.message).toContain('2025-09-01 is in the future');
  });
});

describe('a server registered for one Migration API version', () => {
  it('refuses an inventory of the other version at import, naming both, and stores nothing', async () => {
    const dataDir = await tempDir();
    const core = createCore({ dataDir, shell: 'test' });
    const projectId = (await core.projects.create('Versions')).id;
    await core.servers.add(projectId, {
      name: 'web02',
      kind: 'linux',
      apiVersion: 2,
      connection: { type: 'local', root: dataDir },
    });
    const v1 = await writeInventory(dataDir, v1Source(), 'web01-v1.xml');
    const error = await core.inventory.importFile(projectId, 'web02', v1).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(error?.code).toBe('api-version-mismatch');
    expect(error?.message).toContain('Migration API v1 inventory');
    expect(error?.message).toContain('web02 is registered for Migration API v2');
    expect(
      await core.inventory.load(projectId, (await core.servers.get(projectId, 'web02')).id),
    ).toBeUndefined();
  });
});
