import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetCallError } from '../../electron/core/target/errors';
import { PoaClient } from '../../electron/core/target/poa-client';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { selfSigned } from '../helpers/self-signed';
import { freshSandbox } from './fixtures';

// openssl makes the test certificates; test/ensure-system.sh installs it with the other packages
// the suites drive. Without it this suite fails, naming what is missing, instead of skipping.
function assertOpenssl(): void {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'tls.test.ts needs the openssl command to make test certificates: run test/ensure-system.sh (apt-get install openssl)',
    );
  }
}

describe('TLS: a pinned certificate fingerprint, or system trust', () => {
  let sandbox: RunningSandbox;
  let fingerprint: string;
  beforeAll(async () => {
    assertOpenssl();
    const made = await selfSigned('poa.sandbox.test');
    fingerprint = made.fingerprint;
    sandbox = await freshSandbox({ tls: { key: made.key, cert: made.cert } });
  });
  afterAll(() => sandbox?.close());

  it('speaks HTTPS when pinned to the certificate, whatever the CA', async () => {
    expect(sandbox.poaUrl.startsWith('https://')).toBe(true);
    const poa = new PoaClient({ url: sandbox.poaUrl, tlsFingerprint: fingerprint.toLowerCase() });
    expect((await poa.getServiceTemplateList()).length).toBeGreaterThan(0);
  });

  it('refuses another certificate before sending anything', async () => {
    const other = 'AA:'.repeat(31) + 'AA';
    const before = sandbox.state().accounts.length;
    const poa = new PoaClient(
      { url: sandbox.poaUrl, user: 'admin', password: 'never-sent', tlsFingerprint: other },
      { retries: 0 },
    );
    const e = await poa.getServiceTemplateList().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TargetCallError);
    expect((e as TargetCallError).code).toBe('target-tls-mismatch');
    expect((e as TargetCallError).message).toContain(fingerprint.replace(/:/g, ''));
    expect(sandbox.state().accounts.length).toBe(before);
  });

  it('without a pin, a self-signed certificate fails system trust', async () => {
    const poa = new PoaClient({ url: sandbox.poaUrl }, { retries: 0 });
    const e = await poa.getServiceTemplateList().catch((x: unknown) => x);
    expect((e as TargetCallError).code).toBe('target-unreachable');
    expect((e as TargetCallError).message).toMatch(/self[- ]signed/i);
  });
});
