/**
 * Content re-sync on real parts: the demo's Debian layout behind a real sshd (the real linux
 * agent), one domain migrated with its site and mailboxes into the sandbox's own web and mail
 * nodes. Then the source changes as a live server does — files added, changed and removed in
 * the site, a message delivered and one expunged — and `mm resync` moves exactly those
 * (counts asserted, first as a dry run that moves nothing), after which the target matches the
 * source file by file; a second pass finds nothing to move. An empty folder created and then
 * removed, and a symlink added and then pointed elsewhere, are carried the same way; a symlink
 * out of the content root is refused, named.
 */
import {
  appendFile,
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  rm,
  rmdir,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResyncResult } from '../../shared/model/cutover';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { tree } from '../content/helpers';
import {
  type PreparedSource,
  freshRun,
  journalLines,
  mm,
  mmOk,
  parseMigrate,
  prepareSource,
} from '../migration/env';

const DOMAIN = 'acme-widgets.test';
/** A message the target's own mail server delivered after the copy (its MX already there). */
const OWN = '1900000000.M1P1.target-mail';
/** On the target the shop subdomain's site lives in the main site's folder (httpdocs/shop). */
const inShop = (rel: string): boolean => rel === 'shop' || rel.startsWith('shop/');

/** Files only, by relative path: size and SHA-256 (modes and times are the node's business). */
async function files(
  dir: string,
  skip: (rel: string) => boolean = () => false,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [rel, e] of await tree(dir, skip)) if (e.type === 'file') out[rel] = `${e.size} ${e.sha256}`;
  return out;
}

describe('mm resync: only what changed on the source since the last copy', () => {
  let source: PreparedSource;
  let run: { dataDir: string; sandbox: RunningSandbox };
  let siteTarget: string;
  let boxTarget: string;
  const siteSource = (): string => join(source.root, 'home/acme/web', DOMAIN, 'public_html');
  const boxSource = (): string => join(source.root, 'var/mail/vhosts', DOMAIN, 'ann');

  beforeAll(async () => {
    source = await prepareSource();
    run = await freshRun(source, { asyncMs: 20 });
    const migrate = await mm(run.dataDir, ['migrate', '--domains', DOMAIN, '--json']);
    const result = parseMigrate(migrate);
    expect(result.failures).toEqual([]);
    // Where the content steps published the site and ann's Maildir (their journaled intents).
    const intents = (await journalLines(run.dataDir)).filter((e) => e['t'] === 'intent');
    const pathOf = (re: RegExp): string => {
      const hit = intents.find((e) => re.test(String(e['step'])));
      const chosen = (hit?.['intent'] as { chosen?: { path?: string } } | undefined)?.chosen;
      if (!chosen?.path) throw new Error(`no content intent matching ${re}`);
      return chosen.path;
    };
    siteTarget = pathOf(
      new RegExp(`/subscription/sub-${DOMAIN.replace(/\./g, '\\.')}/hosting/content/site$`),
    );
    boxTarget = pathOf(new RegExp(`/domain/${DOMAIN.replace(/\./g, '\\.')}/content/mailbox/ann$`));
  }, 300_000);

  afterAll(async () => {
    await run?.sandbox.close();
    await source?.stop();
  });

  const resync = async (args: string[]): Promise<ResyncResult> =>
    JSON.parse(
      (await mmOk(run.dataDir, ['resync', '--json', '--domains', DOMAIN, ...args])).stdout,
    ) as ResyncResult;

  it('right after the migration, nothing needs moving', async () => {
    expect(await files(siteTarget, inShop)).toEqual(await files(siteSource()));
    const r = await resync(['--dry-run']);
    expect(r.changes).toEqual({ files: 0, messages: 0, databases: 0, deleted: 0, bytes: 0 });
    expect(r.items).toEqual([]);
  });

  it('after changes on the source, a dry run names them and moves nothing; the real pass moves exactly those', async () => {
    const before = await files(siteTarget, inShop);
    // The site: two new files (one in a new folder), one changed, one removed.
    await writeFile(join(siteSource(), 'new-page.html'), '<html><title>New</title></html>\n');
    await writeFile(join(siteSource(), 'css', 'print.css'), 'body { color: black }\n');
    await appendFile(join(siteSource(), 'index.html'), '<!-- changed for the cut-over -->\n');
    await rm(join(siteSource(), 'contact.php'));
    // The mailbox: a message delivered to new/, one expunged from cur/.
    const delivered =
      'From: carol@example.test\nTo: ann@acme-widgets.test\nMessage-ID: <resync-1@example.test>\nSubject: late\n\nArrived after the first copy.\n';
    await writeFile(join(boxSource(), 'new', '1800000000.M9P9.demo-web01'), delivered);
    await rm(join(boxSource(), 'cur', '1717000001.M1P1.demo-web01:2,S'));
    const added =
      Buffer.byteLength('<html><title>New</title></html>\n') + Buffer.byteLength('body { color: black }\n');
    const changedBytes = (await readFile(join(siteSource(), 'index.html'))).length;
    const expected = {
      files: 3,
      messages: 1,
      databases: 0,
      deleted: 2,
      bytes: added + changedBytes + Buffer.byteLength(delivered),
    };

    // Mail the target received itself (its MX already pointing there): the target's own, kept.
    const own = join(boxTarget, 'new', OWN);
    await writeFile(own, 'From: x@example.test\nSubject: delivered on the target\n\nkeep me\n');

    const dry = await resync(['--dry-run']);
    expect(dry.dryRun).toBe(true);
    expect(dry.items.find((i) => i.content === 'mailbox:ann@acme-widgets.test')?.kept).toEqual([
      `new/${OWN}`,
    ]);
    expect(dry.changes).toEqual(expected);
    const site = dry.items.find((i) => i.kind === 'site');
    expect(site).toMatchObject({
      added: ['css/print.css', 'new-page.html'],
      changed: ['index.html'],
      deleted: ['contact.php'],
    });
    expect(dry.items.find((i) => i.kind === 'mailbox')).toMatchObject({
      content: 'mailbox:ann@acme-widgets.test',
      added: ['new/1800000000.M9P9.demo-web01'],
      changed: [],
      deleted: ['cur/1717000001.M1P1.demo-web01:2,S'],
    });
    expect(await files(siteTarget, inShop)).toEqual(before);

    const shop = await files(join(siteTarget, 'shop'));
    expect(Object.keys(shop).length).toBeGreaterThan(0);
    const real = await resync([]);
    expect(real.dryRun).toBe(false);
    expect(real.changes).toEqual(expected);
    expect(real.skipped).toEqual([]);
    expect(await files(siteTarget, inShop)).toEqual(await files(siteSource()));
    expect(await files(boxTarget, (rel) => rel === `new/${OWN}`)).toEqual(await files(boxSource()));
    expect(await readFile(own, 'utf8')).toContain('keep me');
    // The subdomain's site inside the main site's folder was left alone.
    expect(await files(join(siteTarget, 'shop'))).toEqual(shop);
  });

  it('a second pass finds nothing more to move and still keeps the target’s own mail; the checks pass again', async () => {
    const r = await resync([]);
    expect(r.changes).toEqual({ files: 0, messages: 0, databases: 0, deleted: 0, bytes: 0 });
    expect(await readFile(join(boxTarget, 'new', OWN), 'utf8')).toContain('keep me');
    // Without the target's own message, the post-migration checks pass again (web and mail compared).
    await rm(join(boxTarget, 'new', OWN));
    const check = await mm(run.dataDir, ['check', '--domains', DOMAIN, '--json']);
    const results = (
      JSON.parse(check.stdout) as { results: { domain: string; status: string; checks: unknown[] }[] }
    ).results;
    const mine = results.find((r) => r.domain === DOMAIN);
    expect(mine?.status, JSON.stringify(mine?.checks)).not.toBe('fail');
    expect(check.code).toBe(0);
  });

  it('carries an empty folder created and removed, and a symlink added and changed; refuses one out of the root', async () => {
    // Created on the source: an empty folder and a link inside the site.
    await mkdir(join(siteSource(), 'drafts'));
    await symlink('index.html', join(siteSource(), 'home.html'));
    const dry = await resync(['--dry-run']);
    expect(dry.changes).toEqual({ files: 2, messages: 0, databases: 0, deleted: 0, bytes: 0 });
    expect(dry.items).toMatchObject([
      { kind: 'site', added: ['drafts/', 'home.html'], changed: [], deleted: [] },
    ]);
    await expect(lstat(join(siteTarget, 'drafts'))).rejects.toThrow(/ENOENT/);
    const made = await resync([]);
    expect(made.changes).toEqual(dry.changes);
    expect(made.skipped).toEqual([]);
    expect((await lstat(join(siteTarget, 'drafts'))).isDirectory()).toBe(true);
    expect(await readdir(join(siteTarget, 'drafts'))).toEqual([]);
    expect(await readlink(join(siteTarget, 'home.html'))).toBe('index.html');

    // Removed on the source: the folder; the link now points elsewhere.
    await rmdir(join(siteSource(), 'drafts'));
    await rm(join(siteSource(), 'home.html'));
    await symlink('new-page.html', join(siteSource(), 'home.html'));
    const changed = await resync([]);
    expect(changed.changes).toEqual({ files: 1, messages: 0, databases: 0, deleted: 1, bytes: 0 });
    expect(changed.items).toMatchObject([
      { kind: 'site', added: [], changed: ['home.html'], deleted: ['drafts/'] },
    ]);
    await expect(lstat(join(siteTarget, 'drafts'))).rejects.toThrow(/ENOENT/);
    expect(await readlink(join(siteTarget, 'home.html'))).toBe('new-page.html');
    const again = await resync([]);
    expect(again.changes).toEqual({ files: 0, messages: 0, databases: 0, deleted: 0, bytes: 0 });

    // A link out of the content root is refused, named, and nothing of the site moves.
    await symlink('/etc/passwd', join(siteSource(), 'passwd.txt'));
    await writeFile(join(siteSource(), 'later.html'), '<html><title>Later</title></html>\n');
    const refused = await resync([]);
    expect(refused.skipped).toEqual([
      {
        domain: DOMAIN,
        content: `site:${DOMAIN}`,
        reason: `Content site:${DOMAIN}: symlink "passwd.txt" → "/etc/passwd" points outside the content root: refused`,
      },
    ]);
    await expect(lstat(join(siteTarget, 'passwd.txt'))).rejects.toThrow(/ENOENT/);
    await expect(lstat(join(siteTarget, 'later.html'))).rejects.toThrow(/ENOENT/);
    await rm(join(siteSource(), 'passwd.txt'));
    await rm(join(siteSource(), 'later.html'));
  }, 300_000);

  it('names a domain whose content was never copied', async () => {
    const r = await mm(run.dataDir, ['resync', '--dry-run', '--domains', 'becker-torten.test']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No copied content for becker-torten.test');
  });
});
