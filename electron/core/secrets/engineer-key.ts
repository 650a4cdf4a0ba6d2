/**
 * The engineer key of a data dir (issue 15): an X25519 key pair that lets other engineers hand
 * this data dir a shared project's key without either of them ever seeing it in plain text.
 * The private key lives only in the data dir's sealed secret store (under its master key, like
 * every other secret); the public key is what an engineer gives a colleague, as
 * `mm-x25519:<base64url>`, with a short fingerprint to read out over the phone.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { MmError } from '../errors';
import type { SecretStore } from './secret-store';

/** The secret store's name for the private key (not under project/, so it never moves or leaves). */
export const ENGINEER_KEY_NAME = 'engineer/x25519-private-key';

const PUBLIC_PREFIX = 'mm-x25519:';

export interface EngineerPublicKey {
  /** `mm-x25519:<base64url of the 32 raw bytes>` */
  readonly text: string;
  readonly raw: Buffer;
  readonly key: KeyObject;
  /** SHA-256 of the raw key, first 16 hex digits in groups of four */
  readonly fingerprint: string;
}

export interface EngineerKey {
  readonly privateKey: KeyObject;
  readonly publicKey: EngineerPublicKey;
}

export function fingerprintOf(raw: Buffer): string {
  const hex = createHash('sha256').update(raw).digest('hex').slice(0, 16);
  return (hex.match(/.{4}/g) ?? []).join(':');
}

function publicOf(key: KeyObject): EngineerPublicKey {
  const x = key.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('an X25519 public key without its x');
  const raw = Buffer.from(x, 'base64url');
  return { text: `${PUBLIC_PREFIX}${x}`, raw, key, fingerprint: fingerprintOf(raw) };
}

/** Reads an engineer's public key as typed or pasted; names what is wrong and where. */
export function parsePublicKey(text: string, where = '--engineer'): EngineerPublicKey {
  const trimmed = text.trim();
  const body = trimmed.startsWith(PUBLIC_PREFIX) ? trimmed.slice(PUBLIC_PREFIX.length) : undefined;
  const raw =
    body !== undefined && /^[A-Za-z0-9_-]{43}$/.test(body) ? Buffer.from(body, 'base64url') : undefined;
  if (raw?.length !== 32)
    throw new MmError(
      'invalid-input',
      `${where}: "${trimmed.slice(0, 80)}" is not an engineer's public key; it looks like ${PUBLIC_PREFIX}… (43 characters after the colon), as "mm engineer key" prints it.`,
      where,
    );
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: body }, format: 'jwk' });
  return publicOf(key);
}

/** The data dir's engineer key, made and sealed on first use. */
export async function engineerKey(secrets: SecretStore): Promise<EngineerKey> {
  let der = await secrets.get(ENGINEER_KEY_NAME);
  if (der === undefined) {
    const pair = generateKeyPairSync('x25519');
    await secrets.set(
      ENGINEER_KEY_NAME,
      pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    );
    // read back: two processes making it at once both keep the one that was written last
    der = (await secrets.get(ENGINEER_KEY_NAME)) ?? '';
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new MmError(
      'secret-unreadable',
      `The engineer key of this data dir (${ENGINEER_KEY_NAME} in its secret store) is damaged.`,
      ENGINEER_KEY_NAME,
    );
  }
  if (privateKey.asymmetricKeyType !== 'x25519')
    throw new MmError(
      'secret-unreadable',
      `The engineer key of this data dir is not an X25519 key.`,
      ENGINEER_KEY_NAME,
    );
  return { privateKey, publicKey: publicOf(createPublicKey(privateKey)) };
}
