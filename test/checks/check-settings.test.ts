/**
 * The check settings through the contract (as the Checks page saves them) into the project's
 * checks.json on disk: source web addresses stored by server id whoever names the server, an
 * emptied address forgotten, kinds kept in their order, bad input refused naming what and
 * where. And where a source's pages are asked: the set address, else the domain's web IP.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/handlers';
import { type Core, createCore } from '../../electron/core/core';
import { sourceWebAddress } from '../../electron/core/checks/source-web';
import type { DomainServices } from '../../shared/model/domain-services';
import { tempDir } from '../helpers/paths';
import { readProjectDocument } from '../helpers/store-under-test';

describe('check settings', () => {
  let core: Core;
  let dataDir: string;
  let projectId: string;

  beforeAll(async () => {
    dataDir = await tempDir();
    core = createCore({ dataDir, shell: 'test' });
    projectId = (await core.projects.create('Check settings')).id;
    await core.servers.add(projectId, {
      name: 'Old Web 1',
      kind: 'linux',
      apiVersion: 2,
      connection: { type: 'local', root: dataDir },
    });
  });

  const onDisk = async (): Promise<Record<string, unknown>> =>
    (
      (await readProjectDocument(join(dataDir, 'projects', projectId, 'checks.json'))) as {
        settings: Record<string, unknown>;
      }
    ).settings;

  it('stores what the page saves, by server id, and reads it back', async () => {
    const [server] = await core.servers.list(projectId);
    const r = await dispatch(core, 'checks:settings', {
      projectId,
      kinds: ['users', 'web'],
      sample: 5,
      pageTimeoutSeconds: 3,
      sourceWeb: { 'Old Web 1': 'http://127.0.0.1:8080' },
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const stored = await onDisk();
    expect(stored).toEqual({
      kinds: ['web', 'users'],
      sample: 5,
      pageTimeoutSeconds: 3,
      sourceWeb: { [server?.id ?? '']: 'http://127.0.0.1:8080/' },
    });
    const read = await dispatch(core, 'checks:settings', { projectId });
    expect(read.ok && read.value).toEqual(stored);
    // Emptied, the address is forgotten; the rest stays.
    await dispatch(core, 'checks:settings', { projectId, sourceWeb: { [server?.id ?? '']: '' } });
    expect(await onDisk()).toEqual({
      kinds: ['web', 'users'],
      sample: 5,
      pageTimeoutSeconds: 3,
      sourceWeb: {},
    });
  });

  it('refuses bad input naming it, and stores nothing of it', async () => {
    const before = await onDisk();
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { sourceWeb: { 'Old Web 1': 'ftp://10.0.0.5' } },
        /"ftp:\/\/10\.0\.0\.5" \(web address of Old Web 1\) is not a web address/,
      ],
      [
        { sourceWeb: { 'Old Web 1': 'http://10.0.0.5/sub/path' } },
        /is not a web address like http:\/\/10\.0\.0\.5:8080\//,
      ],
      [{ sourceWeb: { nosuch: 'http://10.0.0.5' } }, /no source server "nosuch"/],
      [{ kinds: ['web', 'ftp'] }, /kinds/],
      [{ sample: 0 }, /sample/],
    ];
    for (const [input, message] of cases) {
      const r = await dispatch(core, 'checks:settings', { projectId, ...input });
      expect(r.ok, JSON.stringify(input)).toBe(false);
      if (!r.ok) expect(`${r.error.where ?? ''} ${r.error.message}`).toMatch(message);
    }
    expect(await onDisk()).toEqual(before);
  });
});

describe("where a source's pages are asked", () => {
  const services = (ip?: string): DomainServices => ({
    domainId: 'd1',
    domainName: 'shop.test',
    ...(ip
      ? { webHosting: { hostname: 'shop.test', ip, enabled: true, aliases: [], subdomains: [], php: false } }
      : {}),
    databases: [],
    ftpUsers: [],
    webUsers: [],
    cronJobs: [],
  });

  it('the set address first, else the web IP from the inventory on port 80, else says what to set', () => {
    expect(sourceWebAddress('web01', { web01: 'http://10.9.9.9:8080/' }, services('203.0.113.5'))).toEqual({
      url: 'http://10.9.9.9:8080/',
      from: 'settings',
    });
    expect(sourceWebAddress('web01', { web02: 'http://10.9.9.9/' }, services('203.0.113.5'))).toEqual({
      url: 'http://203.0.113.5/',
      from: 'inventory',
    });
    expect(sourceWebAddress('web01', undefined, services('2001:db8::5'))).toEqual({
      url: 'http://[2001:db8::5]/',
      from: 'inventory',
    });
    expect(sourceWebAddress('web01', undefined, services())).toEqual({
      error:
        'no web address is known for source server web01 (the inventory names no web IP for shop.test): set one with mm check --source-web web01=http://host:port',
    });
  });
});
