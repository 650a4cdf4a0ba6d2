/**
 * Certificate pinning for agents served over HTTPS (`agent.pl --serve --tls-cert …`): the
 * agent's certificate is usually self-signed, so, as host keys are for SSH, the manager pins its
 * SHA-256 fingerprint — typed in at registration, or shown once and accepted by the engineer.
 */
import { MmError } from '../errors';

/** "AB:CD:…" (32 bytes, upper-case hex, colons): the form stored and shown. */
export function normalizeTlsFingerprint(fp: string): string {
  const hex = fp
    .replace(/^sha-?256[:$ ]?/i, '')
    .replace(/[\s:]/g, '')
    .toUpperCase();
  return hex.match(/../g)?.join(':') ?? '';
}

export function isTlsFingerprint(fp: string): boolean {
  return /^[0-9A-F]{64}$/.test(normalizeTlsFingerprint(fp).replace(/:/g, ''));
}

export type TlsPolicy =
  | { readonly mode: 'pinned'; readonly fingerprint: string }
  | { readonly mode: 'trust-new' }
  | { readonly mode: 'ask' };

/** Decides on a presented certificate before anything (the token first of all) is sent. */
export function checkTlsFingerprint(policy: TlsPolicy, presented: string, where: string): void {
  if (policy.mode === 'trust-new') return;
  if (policy.mode === 'ask') {
    throw new MmError(
      'tls-fingerprint-unknown',
      `The agent at ${where} presents a certificate with SHA-256 fingerprint ${presented}, which is not pinned yet. Compare it with the one the agent printed when it started (or: openssl x509 -noout -fingerprint -sha256 -in <cert>) and accept it to pin it. Nothing was sent.`,
      presented,
    );
  }
  if (normalizeTlsFingerprint(policy.fingerprint) !== presented) {
    throw new MmError(
      'tls-fingerprint-changed',
      `The certificate of the agent at ${where} is NOT the pinned one: pinned ${normalizeTlsFingerprint(policy.fingerprint)}, presented ${presented}. Nothing was sent (not the token either). If the agent got a new certificate, verify it and pin it again; otherwise someone may be intercepting the connection.`,
      where,
    );
  }
}
