import { createHash } from 'node:crypto';
import { MmError } from '../errors';

/** OpenSSH's SHA-256 fingerprint form: "SHA256:" + unpadded base64 of the key blob's digest. */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export const FINGERPRINT_PATTERN = /^SHA256:[A-Za-z0-9+/]{43}$/;

export type HostKeyPolicy =
  /** The key must match this pinned fingerprint. */
  | { readonly mode: 'pinned'; readonly fingerprint: string }
  /** Trust on first use: accept whatever the server shows and report it for pinning. */
  | { readonly mode: 'trust-new' }
  /** No pin and no consent yet: refuse, reporting the fingerprint so the engineer can accept it. */
  | { readonly mode: 'ask' };

/** Decides on a presented host key; throws the refusal the engineer will read. */
export function checkHostKey(policy: HostKeyPolicy, presented: string, where: string): void {
  if (policy.mode === 'trust-new') return;
  if (policy.mode === 'ask') {
    throw new MmError(
      'host-key-unknown',
      `The server ${where} presents host key ${presented}, which is not pinned yet. Compare it with the server's own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and accept it to pin it.`,
      presented,
    );
  }
  if (policy.fingerprint !== presented) {
    throw new MmError(
      'host-key-changed',
      `The host key of ${where} has CHANGED: pinned ${policy.fingerprint}, presented ${presented}. Nothing was sent. If the server was reinstalled, verify the new key and pin it again; otherwise someone may be intercepting the connection.`,
      where,
    );
  }
}
