/**
 * Hostile review bundles: a bundle is the file an engineer receives from someone else and
 * opens. Each test is named after the input it tries; each refused input must leave the data
 * dir and its surroundings byte for byte as they were.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { posix, win32 } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { createWriteStream } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Core, createCore } from '../../electron/core/core';
import { memberKind } from '../../electron/core/review/bundle-members';
import { MAX_EXPANDED_BYTES, openBundle } from '../../electron/core/review/bundle';
import { MAX_HOLDING_BYTES } from '../../electron/core/review/bundle-scan';
import { runMm, startHost } from '../helpers/processes';
import { coreInSandbox } from './hostile-core';
import { type Sandbox, hashTree, refusedWithoutTrace } from './untouched';
import { readProjectDocument, writeProjectDocument } from '../helpers/store-under-test';

const NOW = '2026-03-01T10:00:00.000Z';

/** A small, valid project as an exporter writes it. */
function projectJson(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    id: 'acme',
    name: 'Acme move',
    description: 'from a colleague',
    createdAt: NOW,
    updatedAt: NOW,
    demo: false,
    ...extra,
  };
}

function bundleOf(files: Record<string, unknown>, header: Record<string, unknown> = {}): Buffer {
  return gzipSync(
    JSON.stringify({
      format: 'migration-manager-review-bundle',
      formatVersion: 1,
      exportedAt: NOW,
      exportedBy: 'colleague',
      project: { id: 'acme', name: 'Acme move' },
      files,
      ...header,
    }),
  );
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

describe('review bundles under hostile input', () => {
  let box: Sandbox;
  let core: Core;

  beforeEach(async () => {
    // Another project is there already: the one a bundle would like to overwrite.
    ({ box, core } = await coreInSandbox('Live customer'));
  });

  describe('member names, with POSIX and Windows path semantics', () => {
    const refused = [
      '..\\..\\..\\x.json',
      '..\\projects\\live-customer\\project.json',
      'inventory\\..\\..\\live-customer\\project.json',
      'inventory/..\\..\\x.json',
      'C:x.json',
      'C:\\Windows\\x.json',
      '\\\\server\\share\\x.json',
      '/etc/x.json',
      '../x.json',
      'inventory/../project.json',
      './project.json',
      'inventory//a.json',
      'inventory/con.json',
      'inventory/COM1.json',
      'inventory/a..json',
      'inventory/web01.json:stream',
      'inventory/web\u0000.json',
      'inventory/web\n01.json',
      'notes.json',
      'project.json.v1.bak',
      'inventory/sub/web01.json',
    ];
    const accepted = [
      'project.json',
      'mapping.json',
      'migration-log.jsonl',
      'reports/verification-report.json',
      'inventory/web01.json',
      'inventory/demo-linux-server.json',
      'inventory/srv.example.net.json',
    ];
    /** Whether joining the member name under the copy lands anywhere but where the name says. */
    const escapes = (path: typeof posix, name: string): boolean => {
      const dir = path === win32 ? 'C:\\mm\\projects\\copy' : '/mm/projects/copy';
      const rel = path.relative(dir, path.join(dir, ...name.split('/')));
      return rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep).join('/') !== name;
    };

    it('the refused names do escape the copy, or name something else, on one OS or the other', () => {
      // So the list below tests real attacks: most reach outside the folder on Windows.
      expect(refused.filter((n) => escapes(win32, n)).length).toBeGreaterThanOrEqual(8);
      expect(escapes(posix, '../x.json')).toBe(true);
    });

    it.each(refused)('refuses the member name %j on every OS', (name) => {
      expect(typeof memberKind(name)).toBe('string');
    });

    it.each(accepted)('accepts %j, which stays inside the copy on POSIX and on Windows', (name) => {
      expect(typeof memberKind(name)).toBe('object');
      expect(escapes(posix, name)).toBe(false);
      expect(escapes(win32, name)).toBe(false);
    });

    it('a bundle with the member ..\\..\\..\\x.json is refused before anything is written', async () => {
      const bundle = bundleOf({
        'project.json': { json: projectJson() },
        '..\\..\\..\\x.json': { json: { schemaVersion: 1 } },
      });
      const e = await refusedWithoutTrace(box, () => core.review.openBundle(bundle, 'evil.mmreview'));
      expect(messageOf(e)).toMatch(/evil\.mmreview holds a file with an unsafe name: .*backslash/);
    });

    it('a bundle whose inventory member replaces another project is refused', async () => {
      const bundle = bundleOf({
        'project.json': { json: projectJson() },
        'inventory\\..\\..\\live-customer\\project.json': {
          json: projectJson({ target: { poa: { url: 'https://evil.example/RPC2', user: 'x' } } }),
        },
      });
      await refusedWithoutTrace(box, () => core.review.openBundle(bundle, 'evil.mmreview'));
    });
  });

  describe('the review state is the manager’s, not the bundle’s', () => {
    it('project.json in the {"lines": [...]} form is refused', async () => {
      const bundle = bundleOf({ 'project.json': { lines: [projectJson()] } });
      const e = await refusedWithoutTrace(box, () => core.review.openBundle(bundle, 'lines.mmreview'));
      expect(messageOf(e)).toMatch(/project\.json is not a \{"json": \.\.\.\} document/);
    });

    it('a bundle pointing at a local agent root and a target URL makes no agent or network call', async () => {
      let requests = 0;
      const target = createServer((_req, res) => {
        requests++;
        res.end();
      });
      await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/RPC2`;
      try {
        const bundle = bundleOf({
          'project.json': {
            json: projectJson({
              demo: true,
              review: undefined,
              servers: [
                {
                  id: 'local',
                  name: 'local',
                  kind: 'linux',
                  apiVersion: 2,
                  connection: { type: 'local', root: box.root },
                  agentPath: '/tmp/agent',
                  settings: {
                    protectiveDays: 30,
                    allowUpdateInfo: false,
                    disableAfterMigration: false,
                    parkRegistrationOnly: true,
                    requireRegistration: false,
                    unmappedPolicy: 'fail',
                  },
                  addedAt: NOW,
                  demo: true,
                },
              ],
              target: { poa: { url, user: 'admin' }, pba: { url, user: 'admin' } },
            }),
          },
        });
        const before = await hashTree(box.root);
        const opened = await core.review.openBundle(bundle, 'chooser.mmreview');
        // Only the copy's own folder is new (and, on the PostgreSQL store, its rows: "db:" + path).
        const after = await hashTree(box.root);
        const prefix = `a/b/c/data/projects/${opened.id}/`;
        const own = (k: string): boolean => k.startsWith(prefix) || k.startsWith(`db:${prefix}`);
        expect(Object.fromEntries(Object.entries(after).filter(([k]) => !own(k)))).toEqual(before);
        const stored = await readProjectDocument<
          Record<string, unknown> & { servers: Record<string, unknown>[] }
        >(`${box.dataDir}/projects/${opened.id}/project.json`);
        expect(stored).toMatchObject({
          id: opened.id,
          demo: false,
          review: { bundleName: 'chooser.mmreview' },
        });
        expect(stored.servers[0]).not.toHaveProperty('demo');

        await expect(core.inventory.fetch(opened.id, 'local')).rejects.toMatchObject({
          code: 'read-only-review',
        });
        const tested = await core.target.test(opened.id);
        expect(JSON.stringify(tested)).toMatch(/review copy/);
        expect(requests).toBe(0);
        // A copy whose project.json lost its review state (edited, or written by an older
        // version) stays offline: the REVIEW-COPY marker the manager wrote decides too.
        const projectFile = `${box.dataDir}/projects/${opened.id}/project.json`;
        const { review: _dropped, ...withoutReview } = stored;
        await writeProjectDocument(projectFile, withoutReview);
        const reread = createCore({ dataDir: box.dataDir, shell: 'test' });
        await expect(reread.inventory.fetch(opened.id, 'local')).rejects.toMatchObject({
          code: 'read-only-review',
        });
        expect(JSON.stringify(await reread.target.test(opened.id))).toMatch(/review copy/);
        expect(requests).toBe(0);
        // The app's start-up points every listed demo project at its sandbox: never this copy.
        expect((await core.projects.list()).map((p) => [p.id, p.demo, p.problem])).toContainEqual([
          opened.id,
          false,
          undefined,
        ]);
        expect(requests).toBe(0);
      } finally {
        target.close();
      }
    });
  });

  describe('a bundle that would brick the app is refused whole', () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'a project.json without createdAt',
        { 'project.json': { json: projectJson({ createdAt: undefined }) } },
        /project\.json at createdAt/,
      ],
      [
        'no project.json at all',
        { 'mapping.json': { json: { schemaVersion: 1, revision: 0, entries: [] } } },
        /holds no project\.json/,
      ],
      [
        'a null member',
        { 'project.json': { json: projectJson() }, 'mapping.json': null },
        /member mapping\.json is not a \{"json"/,
      ],
      [
        'a non-list .jsonl member',
        { 'project.json': { json: projectJson() }, 'migration-log.jsonl': { lines: 'rm -rf' } },
        /migration-log\.jsonl is not a \{"lines"/,
      ],
      [
        'a .jsonl member of nulls',
        { 'project.json': { json: projectJson() }, 'verification-history.jsonl': { lines: [null] } },
        /verification-history\.jsonl at 0/,
      ],
      [
        'a newer project schema',
        { 'project.json': { json: projectJson({ schemaVersion: 9 }) } },
        /project\.json at schemaVersion/,
      ],
      [
        'a mapping without its list',
        {
          'project.json': { json: projectJson() },
          'mapping.json': { json: { schemaVersion: 1, revision: 0 } },
        },
        /mapping\.json at entries/,
      ],
      [
        'an inventory filed under another server',
        {
          'project.json': { json: projectJson() },
          'inventory/web01.json': {
            json: { schemaVersion: 1, serverId: 'web02', fetchedAt: NOW, source: 'agent', inventory: null },
          },
        },
        /inventory\/web01\.json at serverId/,
      ],
      [
        'an inventory with domains that are not a list',
        {
          'project.json': { json: projectJson() },
          'inventory/web01.json': {
            json: {
              schemaVersion: 1,
              serverId: 'web01',
              fetchedAt: NOW,
              source: 'agent',
              inventory: {
                apiVersion: 2,
                platform: {},
                hosts: [],
                templates: [],
                accounts: [],
                subscriptions: [],
                domains: {},
              },
            },
          },
        },
        /inventory\.domains/,
      ],
      [
        'comments without their object',
        {
          'project.json': { json: projectJson() },
          'comments.json': {
            json: { schemaVersion: 1, comments: [{ id: 'c1', author: 'x', time: NOW, text: 'hi' }] },
          },
        },
        /comments\.json at comments\.0\.about/,
      ],
    ];

    it.each(cases)('%s', async (_label, files, message) => {
      const e = await refusedWithoutTrace(box, () => core.review.openBundle(bundleOf(files), 'bad.mmreview'));
      expect(e).toMatchObject({ code: 'bundle-invalid' });
      expect(messageOf(e)).toMatch(message);
      expect(messageOf(e)).toMatch(/^bad\.mmreview/);
    });

    it('a header that is not a bundle header (null project) is refused', async () => {
      const e = await refusedWithoutTrace(box, () =>
        core.review.openBundle(bundleOf({}, { project: null }), 'bad.mmreview'),
      );
      expect(messageOf(e)).toMatch(/not a Migration Manager review bundle \(its header at project/);
    });

    it('after a refused bundle, `mm project list` still lists every project', async () => {
      const file = `${box.root}/no-created-at.mmreview`;
      await writeFile(file, bundleOf({ 'project.json': { json: projectJson({ createdAt: undefined }) } }));
      const before = await hashTree(box.dataDir);
      const open = await runMm(['project', 'open', file, '--data-dir', box.dataDir]);
      expect(open.code).toBe(1);
      expect(open.stderr).toMatch(/project\.json at createdAt/);
      expect(await hashTree(box.dataDir)).toEqual(before);
      const list = await runMm(['project', 'list', '--json', '--data-dir', box.dataDir]);
      expect(list.code).toBe(0);
      expect((JSON.parse(list.stdout) as { id: string }[]).map((p) => p.id)).toEqual(['live-customer']);
    });

    it('a demo project that cannot be refreshed (a marked copy) does not stop the browser host from starting', async () => {
      // Made by hand as an older version or an edit could leave it: demo flag and review marker.
      const stuck = await core.projects.create('Stuck demo', '', true);
      const folder = `${box.dataDir}/projects/${stuck.id}`;
      await writeFile(`${folder}/REVIEW-COPY`, 'read-only\n');
      const before = await hashTree(folder);
      const host = await startHost(box.dataDir, ['--no-demo']);
      try {
        const res = await fetch(`${host.origin}/api/call/projects:list`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-mm-secret': host.secret },
          body: '{}',
        });
        const listed = (await res.json()) as { value: { id: string }[] };
        expect(listed.value.map((p) => p.id).sort()).toEqual(['live-customer', stuck.id]);
      } finally {
        await host.stop();
      }
      expect(await hashTree(folder)).toEqual(before);
    });

    it('merging comments from a bundle with malformed comments changes nothing', async () => {
      const bundle = bundleOf({
        'project.json': { json: projectJson() },
        'comments.json': { json: { schemaVersion: 1, comments: [null] } },
      });
      await refusedWithoutTrace(box, () =>
        core.review.mergeComments('live-customer', bundle, 'back.mmreview'),
      );
    });
  });

  describe('decompression bomb', () => {
    it('a 700 MB expansion is refused as too large, with memory bounded by the limit', async () => {
      const file = `${box.root}/bomb.mmreview`;
      const head = `{"format":"migration-manager-review-bundle","formatVersion":1,"exportedAt":"${NOW}","exportedBy":"x","project":{"id":"x","name":"x"},"files":{"project.json":{"json":{"description":"`;
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      async function* body(): AsyncGenerator<Buffer> {
        yield Buffer.from(head);
        for (let i = 0; i < 700; i++) yield chunk;
        yield Buffer.from('"}}}}');
      }
      await pipeline(Readable.from(body()), createGzip({ level: 9 }), createWriteStream(file));
      const bytes = await readFile(file);
      expect(bytes.length).toBeLessThan(3 * 1024 * 1024);

      const base = process.memoryUsage().rss;
      let peak = base;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      try {
        const e = await refusedWithoutTrace(box, () => core.review.openBundle(bytes, 'bomb.mmreview'));
        expect(messageOf(e)).toBe(
          `bomb.mmreview is too large (701 MB expanded, limit ${MAX_EXPANDED_BYTES / 1048576} MB); nothing was opened.`,
        );
      } finally {
        clearInterval(sampler);
      }
      const grewMb = (peak - base) / 1048576;
      console.log(`decompression bomb: ${bytes.length} bytes, RSS grew by ${grewMb.toFixed(0)} MB at most`);
      expect(grewMb).toBeLessThan(MAX_EXPANDED_BYTES / 1048576 + 200);
      expect(await readdir(`${box.dataDir}/projects`)).toEqual(['live-customer']);
    });

    /** A gzip bundle file whose text comes from `body` (a bomb is never a string here). */
    async function gzipFile(name: string, body: () => AsyncGenerator<string | Buffer>): Promise<Buffer> {
      const file = `${box.root}/${name}`;
      await pipeline(Readable.from(body()), createGzip({ level: 9 }), createWriteStream(file));
      return readFile(file);
    }
    const header = `{"format":"migration-manager-review-bundle","formatVersion":1,"exportedAt":"${NOW}","exportedBy":"x","project":{"id":"x","name":"x"},"files":{"project.json":{"json":${JSON.stringify(projectJson())}}`;
    const holding = (i: number): string =>
      JSON.stringify({
        kind: 'domain',
        key: `domain k${i}`,
        name: `d${i}.example`,
        fields: { n: String(i) },
      });

    /** Memory while `step` runs: RSS growth at most, in MB. */
    async function rssGrowth(step: () => Promise<void>): Promise<number> {
      const base = process.memoryUsage().rss;
      let peak = base;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      try {
        await step();
      } finally {
        clearInterval(sampler);
      }
      return (peak - base) / 1048576;
    }

    it("one object of 700 MB inside a rehearsal's holdings member is refused at 1 MB, nothing kept", async () => {
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      const bytes = await gzipFile('holding-bomb.mmreview', async function* () {
        yield `${header},"rehearsals/r-20260301-100000-abcdef/holdings.json":{"json":[${holding(0)},{"kind":"domain","key":"k","name":"`;
        for (let i = 0; i < 700; i++) yield chunk;
        yield '","fields":{}}]}}}';
      });
      expect(bytes.length).toBeLessThan(3 * 1024 * 1024);
      const grew = await rssGrowth(async () => {
        const e = await refusedWithoutTrace(box, () =>
          core.review.openBundle(bytes, 'holding-bomb.mmreview'),
        );
        expect(messageOf(e)).toBe(
          `holding-bomb.mmreview is too large (object 1 of its member rehearsals/r-20260301-100000-abcdef/holdings.json is over ${MAX_HOLDING_BYTES / 1048576} MB); nothing was opened.`,
        );
      });
      console.log(
        `holdings bomb (one object): ${bytes.length} bytes, RSS grew by ${grew.toFixed(0)} MB at most`,
      );
      expect(grew).toBeLessThan(100);
      expect(await readdir(`${box.dataDir}/projects`)).toEqual(['live-customer']);
    }, 240_000);

    it('a holdings member of 500,000 small objects past its cap is refused, the staged objects removed', async () => {
      // the caps lowered so the test expands ~40 MB, not the 1 GB of the product's cap
      const limits = { maxHoldingsMemberBytes: 32 * 1048576, maxStreamedBytes: 48 * 1048576 };
      const many = async function* (count: number, first: number): AsyncGenerator<string> {
        for (let i = first; i < first + count; i += 1_000) {
          let text = '';
          for (let j = i; j < i + 1_000; j++) text += `${j === 0 ? '' : ','}${holding(j)}`;
          yield text;
        }
      };
      const member = (id: string): string =>
        `"rehearsals/r-20260301-10000${id}-abcdef/holdings.json":{"json":[`;
      const one = await gzipFile('member-bomb.mmreview', async function* () {
        yield `${header},${member('0')}`;
        yield* many(500_000, 0);
        yield ']}}}';
      });
      const grew = await rssGrowth(async () => {
        const e = await refusedWithoutTrace(box, () =>
          openBundle(core.projects, one, 'member-bomb.mmreview', limits),
        );
        expect(messageOf(e)).toBe(
          "member-bomb.mmreview is too large (its member rehearsals/r-20260301-100000-abcdef/holdings.json expands past 32 MB, the limit of one rehearsal's objects; 48 MB for all of them, 304 MB for a whole bundle); nothing was opened.",
        );
      });
      console.log(
        `holdings bomb (many objects): ${one.length} bytes, RSS grew by ${grew.toFixed(0)} MB at most`,
      );
      expect(grew).toBeLessThan(150);

      // two members, each under its cap, together over the cap of all
      const two = await gzipFile('members-bomb.mmreview', async function* () {
        yield `${header},${member('0')}`;
        yield* many(350_000, 0);
        yield `]},${member('1')}`;
        yield* many(350_000, 0);
        yield ']}}}';
      });
      const e = await refusedWithoutTrace(box, () =>
        openBundle(core.projects, two, 'members-bomb.mmreview', limits),
      );
      expect(messageOf(e)).toBe(
        "members-bomb.mmreview is too large (its rehearsals' objects expand past 48 MB, the limit for all of them; 304 MB for a whole bundle); nothing was opened.",
      );
      expect(await readdir(`${box.dataDir}/projects`)).toEqual(['live-customer']);
    }, 240_000);
  });
});
