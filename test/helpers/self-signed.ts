/**
 * A self-signed certificate made by openssl (installed by test/ensure-system.sh) in a temporary
 * folder of the test's: the files, their bytes and the SHA-256 fingerprint a pin names. The
 * target's TLS tests, the kept-alive pinned pools and the SOAP agent's HTTPS serve with one.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './paths';

export interface SelfSigned {
  readonly keyFile: string;
  readonly certFile: string;
  readonly key: Buffer;
  readonly cert: Buffer;
  /** AB:CD:… (X509Certificate.fingerprint256) */
  readonly fingerprint: string;
}

/** Valid two days, for `/CN=<cn>`; an RSA-2048 key, or a P-256 one with `ec`. */
export async function selfSigned(cn: string, key: 'rsa' | 'ec' = 'rsa'): Promise<SelfSigned> {
  const dir = await tempDir('mm-cert-');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const newKey =
    key === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      ...newKey,
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(certFile);
  return {
    keyFile,
    certFile,
    key: readFileSync(keyFile),
    cert,
    fingerprint: new X509Certificate(cert).fingerprint256,
  };
}
