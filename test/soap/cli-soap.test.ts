/**
 * `mm server add --transport soap` and `mm inventory fetch` as processes, against the real agent
 * serving SOAP on loopback (plain HTTP and HTTPS): the same output, errors and exit codes as
 * over SSH.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoLayoutSummary, buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { tempDir } from '../helpers/paths';
import { runMm } from '../helpers/processes';
import { type ServedAgent, certificateFingerprint, makeCertificate, serveAgent } from './served-agent';
import { readProjectText } from '../helpers/store-under-test';

describe('mm server add --transport soap, mm inventory fetch', () => {
  let plain: ServedAgent;
  let tls: ServedAgent;
  let dataDir: string;
  let layout: DemoLayoutSummary;
  const mm = (args: string[], input?: string) => runMm([...args, '--data-dir', dataDir], {}, input);

  beforeAll(async () => {
    dataDir = await tempDir();
    const root = await tempDir('mm-soap-cli-layout-');
    layout = buildDemoLayout(root);
    plain = await serveAgent('linux', { root });
    tls = await serveAgent('linux', { root, tls: await makeCertificate() });
    expect((await mm(['project', 'create', 'SOAP CLI'])).code).toBe(0);
  });
  afterAll(async () => {
    await plain?.kill();
    await tls?.kill();
  });

  it('registers a SOAP server with the token on stdin, sealed, and fetches its inventory', async () => {
    const add = await mm(
      [
        'server',
        'add',
        'win01',
        '--transport',
        'soap',
        '--url',
        plain.url,
        '--token-stdin',
        '--kind',
        'linux',
      ],
      `${plain.token}\n`,
    );
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain(`soap ${plain.url}`);
    const projectFile = await readProjectText(join(dataDir, 'projects', 'soap-cli', 'project.json'));
    expect(projectFile).not.toContain(plain.token);
    const fetch = await mm(['inventory', 'fetch', 'win01', '--json']);
    expect(fetch.code).toBe(0);
    expect(JSON.parse(fetch.stdout)).toMatchObject({ deployed: false, summary: { domains: layout.domains } });
    const test = await mm(['server', 'test', 'win01']);
    expect(test.code).toBe(0);
    expect(test.stdout).toContain(`Connected: soap ${plain.url}`);
    expect(test.stdout).toMatch(/Perl 5\./);
  });

  it('a wrong token: exit 1 and the reason on stderr', async () => {
    const add = await mm(
      ['server', 'add', 'bad', '--transport', 'soap', '--url', plain.url, '--token-stdin', '--kind', 'linux'],
      `${'w'.repeat(30)}\n`,
    );
    expect(add.code).toBe(0);
    const fetch = await mm(['inventory', 'fetch', 'bad']);
    expect(fetch.code).toBe(1);
    expect(fetch.stderr).toContain('refused the token');
  });

  it('usage errors exit 2', async () => {
    const noUrl = await mm(
      ['server', 'add', 'x', '--transport', 'soap', '--token-stdin', '--kind', 'linux'],
      't\n',
    );
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('--url');
    const mixed = await mm(
      [
        'server',
        'add',
        'x',
        '--transport',
        'soap',
        '--url',
        plain.url,
        '--token-stdin',
        '--host',
        'h',
        '--kind',
        'linux',
      ],
      `${plain.token}\n`,
    );
    expect(mixed.code).toBe(2);
    const badUrl = await mm(
      ['server', 'add', 'x', '--transport', 'soap', '--url', 'ftp://h/x', '--token-stdin', '--kind', 'linux'],
      `${plain.token}\n`,
    );
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('http(s)://');
  });

  it('HTTPS: pins the certificate it is shown on --trust-new-certificate, refuses a foreign pin', async () => {
    const add = await mm(
      [
        'server',
        'add',
        'tls01',
        '--transport',
        'soap',
        '--url',
        tls.url,
        '--token-stdin',
        '--kind',
        'linux',
      ].concat(['--trust-new-certificate', '--json']),
      `${tls.token}\n`,
    );
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({
      connection: { type: 'soap', tlsFingerprint: tls.fingerprint },
    });
    expect((await mm(['inventory', 'fetch', 'tls01'])).code).toBe(0);

    const foreign = certificateFingerprint((await makeCertificate()).cert);
    const spoofed = await mm(
      [
        'server',
        'add',
        'spoofed',
        '--transport',
        'soap',
        '--url',
        tls.url,
        '--token-stdin',
        '--kind',
        'linux',
      ].concat(['--tls-fingerprint', foreign]),
      `${tls.token}\n`,
    );
    expect(spoofed.code).toBe(0);
    const fetch = await mm(['inventory', 'fetch', 'spoofed']);
    expect(fetch.code).toBe(1);
    expect(fetch.stderr).toContain('NOT the pinned one');
    expect(fetch.stderr).toContain(foreign);
  });
});
