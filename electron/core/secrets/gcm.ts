/**
 * AES-256-GCM as every sealed value here is laid out: nonce (12 bytes), tag (16), ciphertext,
 * with the context bound as associated data — one layout for the data dir's secret store and a
 * shared project's keys and credentials.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Seals `plain` under `key`, bound to `aad`; a fresh random nonce unless one is given. */
export function gcmSeal(
  key: Buffer,
  aad: string | Buffer,
  plain: Buffer | string,
  iv: Buffer = randomBytes(12),
): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(typeof aad === 'string' ? Buffer.from(aad) : aad);
  const body = Buffer.concat([
    typeof plain === 'string' ? cipher.update(plain, 'utf8') : cipher.update(plain),
    cipher.final(),
  ]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** The plain bytes, or undefined when it does not open (wrong key or context, damaged bytes). */
export function gcmOpen(key: Buffer, aad: string | Buffer, sealed: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAAD(typeof aad === 'string' ? Buffer.from(aad) : aad);
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  } catch {
    return undefined;
  }
}
