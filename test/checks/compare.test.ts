/**
 * The checks' pure comparisons: each kind of difference is named with its object, a 401 is
 * not a failure, extra things on the target warn, and what was compared is said on a pass.
 * The tar reader is fed real `tar` output (ustar and GNU long names).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { DnsZoneModel } from '../../shared/model/domain-services';
import { compareDb } from '../../electron/core/checks/compare-db';
import { compareDns, expectedRecords } from '../../electron/core/checks/compare-dns';
import { compareMail, type MessageFact } from '../../electron/core/checks/compare-mail';
import { compareUsers } from '../../electron/core/checks/compare-users';
import { compareWeb, samplePages, type SiteEvidence } from '../../electron/core/checks/compare-web';
import {
  describeHead,
  mailboxEvidence,
  messageIdOf,
  siteEvidence,
} from '../../electron/core/checks/content-evidence';
import { canonicalData } from '../../electron/core/checks/dns-names';
import { TarEvidence } from '../../electron/core/checks/tar-evidence';
import { tempDir } from '../helpers/paths';

const site = (files: Record<string, [number, string, string?]>): SiteEvidence => ({
  host: 'example.test',
  present: true,
  files: new Map(
    Object.entries(files).map(([k, [size, sha256, title]]) => [
      k,
      { size, sha256, ...(title !== undefined ? { title } : {}) },
    ]),
  ),
});

describe('web', () => {
  it('samples the index and one file per folder and extension', () => {
    expect(
      samplePages([
        'index.html',
        'about.html',
        'css/a.css',
        'css/b.css',
        'img/x y.png',
        'img/z.png',
        'README',
      ]),
    ).toEqual([
      { path: '/', file: 'index.html' },
      { path: '/README', file: 'README' },
      { path: '/css/a.css', file: 'css/a.css' },
      { path: '/img/x%20y.png', file: 'img/x y.png' },
    ]);
  });

  it('names missing, changed and extra files, a changed title and a 404; a 401 is fine', () => {
    const source = site({
      'index.html': [10, 'a', 'Home'],
      'gone.txt': [3, 'b'],
      'same.css': [4, 'c'],
      'x.txt': [5, 'd'],
    });
    const target = site({
      'index.html': [10, 'z', 'Hacked'],
      'same.css': [4, 'c'],
      'x.txt': [6, 'e'],
      'new.txt': [1, 'f'],
    });
    const r = compareWeb([
      {
        source,
        target,
        pages: [
          { path: '/', file: 'index.html', status: 200, title: 'Hacked', sha256: 'z' },
          { path: '/same.css', file: 'same.css', status: 404 },
          { path: '/x.txt', file: 'x.txt', status: 401 },
        ],
      },
    ]);
    expect(r.status).toBe('fail');
    expect(r.differences.map((d) => `${d.severity} ${d.object}: ${d.message}`)).toEqual([
      'fail site example.test: 4 files (22 bytes) on the source, 4 files (21 bytes) on the target',
      'fail file index.html: content differs (SHA-256)',
      'fail file gone.txt: missing on the target',
      'fail file x.txt: 5 bytes on the source, 6 on the target',
      'warn file new.txt: on the target only',
      'fail page http://example.test/: title "Hacked" on the target, "Home" on the source',
      'fail page http://example.test/same.css: the target answered HTTP 404',
    ]);
    expect(r.message).toMatch(/; and 4 more$/);
  });

  it('passes with what it compared', () => {
    const s = site({ 'index.html': [10, 'a', 'Home'] });
    const r = compareWeb([
      {
        source: s,
        target: s,
        pages: [{ path: '/', file: 'index.html', status: 200, title: 'Home', sha256: 'a' }],
      },
    ]);
    expect(r).toEqual({
      kind: 'web',
      status: 'pass',
      message: '1 site: 1 file (10 bytes) and 1 page match',
      differences: [],
    });
  });

  it("judges a page against the source's web server when it answered: title, status, a static file's bytes", () => {
    // A PHP page: the source serves its output (hash b), not the file (hash p); a static file
    // served as it is (hash c both ways).
    const s = site({ 'index.php': [10, 'p'], 'about.html': [5, 'h', 'About'], 'a.css': [3, 'c'] });
    const r = compareWeb([
      {
        source: s,
        target: s,
        pages: [
          // Same title from both servers, other bytes of a script's output: fine.
          {
            path: '/',
            file: 'index.php',
            status: 200,
            title: 'Home',
            sha256: 'b2',
            source: { status: 200, title: 'Home', sha256: 'b' },
          },
          {
            path: '/about.html',
            file: 'about.html',
            status: 200,
            title: 'Changed',
            sha256: 'h2',
            source: { status: 200, title: 'About', sha256: 'h' },
          },
          { path: '/a.css', file: 'a.css', status: 200, sha256: 'x', source: { status: 200, sha256: 'c' } },
          { path: '/b.css', file: 'a.css', status: 301, source: { status: 200, sha256: 'c' } },
          { path: '/c.css', file: 'a.css', status: 500, source: { status: 200, sha256: 'c' } },
          // The source protects it: the target's answer alone is judged.
          { path: '/p.css', file: 'a.css', status: 200, sha256: 'c', source: { status: 401 } },
          // No answer for this one page: said, and judged against the source's file.
          {
            path: '/q.css',
            file: 'a.css',
            status: 200,
            sha256: 'c',
            source: { status: 0, error: 'socket hang up' },
          },
        ],
      },
    ]);
    expect(r.differences.map((d) => `${d.severity} ${d.object}: ${d.message}`)).toEqual([
      'fail page http://example.test/about.html: title "Changed" on the target, "About" on the source',
      "fail page http://example.test/a.css: the target serves other content than the source's web server",
      'warn page http://example.test/b.css: HTTP 200 from the source, HTTP 301 from the target',
      'fail page http://example.test/c.css: the target answered HTTP 500, the source HTTP 200',
      "warn page http://example.test/q.css: no answer from the source's web server (socket hang up); compared with the source's file",
    ]);
  });
});

describe('mail', () => {
  const msg = (
    folder: string,
    id: string | undefined,
    size = 100,
    unique = `u-${id ?? 'x'}`,
  ): MessageFact => ({
    folder,
    size,
    uniqueName: unique,
    ...(id ? { messageId: id } : {}),
  });

  it('names a missing mailbox, a folder whose counts differ and each missing message', () => {
    const r = compareMail(
      [
        {
          address: 'ann@x.test',
          present: true,
          messages: [msg('INBOX', '<1@x>'), msg('INBOX', '<2@x>'), msg('Sent', undefined, 50, '1700.M1')],
        },
        { address: 'bob@x.test', present: true, messages: [msg('INBOX', '<3@x>')] },
      ],
      [
        { address: 'ann@x.test', present: true, messages: [msg('INBOX', '<1@x>'), msg('Trash', '<9@x>')] },
        { address: 'bob@x.test', present: false, messages: [] },
      ],
    );
    expect(r.differences.map((d) => `${d.severity} ${d.object}: ${d.message}`)).toEqual([
      'fail mailbox ann@x.test folder INBOX: 2 messages (200 bytes) on the source, 1 message (100 bytes) on the target',
      'fail mailbox ann@x.test folder Sent: 1 message (50 bytes) on the source, 0 messages (0 bytes) on the target',
      'warn mailbox ann@x.test folder Trash: on the target only (1 message)',
      'fail mailbox ann@x.test message <2@x>: missing from folder INBOX on the target',
      'fail mailbox ann@x.test message file 1700.M1: missing from folder Sent on the target',
      'fail mailbox bob@x.test: no Maildir on the target mail node',
    ]);
  });

  it('reads folders, unique names and Message-IDs (folded headers too) from a Maildir listing', () => {
    const head = (s: string): Buffer => Buffer.from(s, 'latin1');
    expect(messageIdOf(head('From: a\r\nMessage-ID:\r\n <folded@x.test>\r\n\r\nMessage-ID: <body@x>'))).toBe(
      '<folded@x.test>',
    );
    expect(messageIdOf(head('Subject: none\n\nMessage-ID: <in-body@x>\n'))).toBeUndefined();
    const box = mailboxEvidence(
      'a@x.test',
      new Map([
        [
          'cur/1.M1:2,S',
          { size: 5, sha256: 'a', note: describeHead('cur/1.M1:2,S', head('Message-Id: <m1@x>\n\nhi')) },
        ],
        [
          '.Sent/new/2.M2',
          { size: 7, sha256: 'b', note: describeHead('.Sent/new/2.M2', head('X: y\n\nhi')) },
        ],
        ['dovecot-uidlist', { size: 9, sha256: 'c' }],
      ]),
    );
    expect(box.messages).toEqual([
      { folder: 'INBOX', size: 5, uniqueName: '1.M1', messageId: '<m1@x>' },
      { folder: 'Sent', size: 7, uniqueName: '2.M2' },
    ]);
  });
});

describe('dns', () => {
  const zone: DnsZoneModel = {
    name: 'example.test.',
    master: true,
    records: [
      { host: '@', type: 'SOA', data: 'ns1 hostmaster 1 2 3 4 5' },
      { host: '@', type: 'NS', data: 'ns1.old.test.' },
      { host: '@', type: 'A', data: '203.0.113.10' },
      { host: '@', type: 'MX', data: 'mail', priority: 5 },
      { host: '_sip._tcp', type: 'SRV', data: 'sip.example.test.', priority: 1, weight: 2, port: 5060 },
      { host: 'www', type: 'CNAME', data: '@' },
      { host: '@', type: 'TXT', data: '"v=spf1 ip4:203.0.113.10 -all"' },
      { host: 'v6', type: 'AAAA', data: '2001:DB8:0:0:0:0:0:1' },
    ],
  };

  it('expects every record but SOA and the apex NS, canonical, through the IP mapping', () => {
    const map = (r: DnsZoneModel['records'][number]): DnsZoneModel['records'][number] =>
      r.type === 'A' ? { ...r, data: '198.51.100.7' } : r;
    expect(expectedRecords(zone, 'example.test', map)).toEqual([
      { name: 'example.test', type: 'A', data: '198.51.100.7' },
      { name: 'example.test', type: 'MX', data: '5 mail.example.test' },
      { name: '_sip._tcp.example.test', type: 'SRV', data: '1 2 5060 sip.example.test' },
      { name: 'www.example.test', type: 'CNAME', data: 'example.test' },
      { name: 'example.test', type: 'TXT', data: 'v=spf1 ip4:203.0.113.10 -all' },
      { name: 'v6.example.test', type: 'AAAA', data: '2001:db8::1' },
    ]);
    // The API's form (details leading the data) reads the same.
    expect(canonicalData('MX', '5 mail.example.test.', 'example.test')).toBe('5 mail.example.test');
    expect(canonicalData('CAA', '0 issue "letsencrypt.org"', 'example.test')).toBe('0 issue letsencrypt.org');
  });

  it('names a record the name server does not answer and one missing from the API', () => {
    const expected = expectedRecords(zone, 'example.test').slice(0, 2);
    const r = compareDns(
      'example.test',
      expected,
      [
        { name: 'example.test', type: 'A', values: ['203.0.113.99'] },
        { name: 'example.test', type: 'MX', values: [], error: 'ETIMEOUT' },
      ],
      [
        { name: 'example.test', type: 'A', data: '203.0.113.10' },
        { name: 'old.example.test', type: 'A', data: '203.0.113.1' },
      ],
    );
    expect(r.differences.map((d) => `${d.severity} ${d.object}: ${d.message}`)).toEqual([
      "fail record example.test A 203.0.113.10: the target's name server answered 203.0.113.99",
      "fail record example.test MX 5 mail.example.test: the target's name server answered ETIMEOUT",
      "fail record example.test MX 5 mail.example.test: not in the target's API",
      "warn record old.example.test A 203.0.113.1: in the target's API only",
    ]);
  });
});

describe('databases and users', () => {
  it('names a missing database, a missing table, a row count and a checksum that differ', () => {
    const t = (rows: number, checksum: string): { rows: number; checksum: string } => ({ rows, checksum });
    const r = compareDb(
      [
        {
          name: 'shop',
          present: true,
          tables: new Map([
            ['orders', t(3, 'a')],
            ['items', t(2, 'b')],
            ['log', t(1, 'c')],
          ]),
        },
        { name: 'blog', present: true },
      ],
      [
        {
          name: 'shop',
          present: true,
          tables: new Map([
            ['orders', t(2, 'x')],
            ['items', t(2, 'y')],
          ]),
        },
        { name: 'blog', present: false },
      ],
    );
    expect(r.differences.map((d) => `${d.severity} ${d.object}: ${d.message}`)).toEqual([
      'fail database shop table orders: 3 rows on the source, 2 rows on the target',
      'fail database shop table items: same row count, different content (checksum)',
      'fail database shop table log: missing on the target',
      'fail database blog: missing on the target',
    ]);
  });

  it('fails a missing login, warns when the migration named it not carried', () => {
    const r = compareUsers(
      { mailboxes: ['a@x.test'], ftp: ['web', 'old'], database: ['shop'] },
      { mailboxes: ['A@x.test'], ftp: ['web'], database: [] },
      new Map([['FTP user old', 'only a hash']]),
    );
    expect(r.differences.map((d) => `${d.severity} ${d.object}: ${d.message}`)).toEqual([
      'warn FTP user old: not on the target: the migration did not carry it (only a hash)',
      'fail database user shop: missing on the target',
    ]);
  });
});

describe('tar evidence', () => {
  it('reads real tar output: sizes, hashes, heads, GNU long names; folders and links left out', async () => {
    const dir = await tempDir('mm-check-tar-');
    const long = `${'deep/'.repeat(30)}page.html`;
    await mkdir(join(dir, 'site', long, '..'), { recursive: true });
    await writeFile(join(dir, 'site', 'index.html'), '<html><title> Hello\n World </title></html>');
    await writeFile(join(dir, 'site', long), '<title>Deep</title>');
    await writeFile(join(dir, 'site', 'empty.txt'), '');
    execFileSync('ln', ['-s', 'index.html', join(dir, 'site', 'link.html')]);
    const tarball = execFileSync('tar', ['-C', join(dir, 'site'), '-cf', '-', '.'], { maxBuffer: 1 << 24 });
    const out = new TarEvidence({ keepHead: (n) => (n.endsWith('.html') ? 64 : 0), describe: describeHead });
    await pipeline(Readable.from([tarball.subarray(0, 700), tarball.subarray(700)]), out);
    const ev = siteEvidence('x.test', out.files);
    expect([...ev.files.keys()].sort()).toEqual([long, 'empty.txt', 'index.html'].sort());
    expect(ev.files.get('index.html')).toMatchObject({ size: 42, title: 'Hello World' });
    expect(ev.files.get(long)).toMatchObject({ title: 'Deep' });
    expect(ev.files.get('empty.txt')).toEqual({
      size: 0,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });
});
