/**
 * Opens a TLS connection that trusts exactly one certificate, named by its SHA-256 fingerprint.
 * The socket is handed over only after the handshake and the check, so no byte of a request
 * (which carries the credentials) can be written to an unchecked peer. Every pooled socket goes
 * through here once: a reused socket is one that passed this check when it was opened.
 */
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { TransportError } from './errors';

/** "AB:CD:…" or "abcd…" → "ABCD…", the form compared. */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

export interface PinnedTarget {
  readonly host: string;
  readonly port: number;
  /** Normalized (see normalizeFingerprint). */
  readonly fingerprint: string;
  /** The handshake is abandoned after this long. */
  readonly handshakeMs: number;
}

export function connectPinned(
  target: PinnedTarget,
  done: (error: TransportError | null, socket?: TLSSocket) => void,
): void {
  const socket = tlsConnect({
    host: target.host,
    port: target.port,
    servername: /^[\d.]+$|:/.test(target.host) ? undefined : target.host,
    // The pin replaces CA validation: self-signed target certificates are the norm.
    rejectUnauthorized: false,
  });
  let settled = false;
  const settle = (error: TransportError | null): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.removeListener('error', onError);
    if (error) {
      socket.destroy();
      done(error);
    } else done(null, socket);
  };
  const onError = (e: Error): void => settle(new TransportError('target-unreachable', e.message));
  const timer = setTimeout(
    () => settle(new TransportError('target-timeout', 'the TLS handshake did not finish in time')),
    target.handshakeMs,
  );
  socket.once('error', onError);
  socket.once('secureConnect', () => {
    const seen = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
    settle(
      seen === target.fingerprint
        ? null
        : new TransportError(
            'target-tls-mismatch',
            `the server's certificate (SHA-256 ${seen || 'none'}) is not the pinned one (${target.fingerprint})`,
          ),
    );
  });
}
