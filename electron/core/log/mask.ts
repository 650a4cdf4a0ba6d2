/** Keys whose values are secrets wherever they appear: in the log, in review bundles. */
const SECRET_KEY =
  /pass(word|phrase)?|secret|token|private.?key|crypted|credential|^auth$|encrypted.?number/i;

/**
 * A copy of a value with secrets replaced by "***", recursively. Under a secret-looking key,
 * every string or number inside is masked too (a `password: {value, scheme}` object keeps its
 * shape but not its content); booleans and null stay, they reveal nothing.
 */
export function maskSecrets(value: unknown, depth = 0, inSecret = false): unknown {
  if (depth > 24) return '…';
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, depth + 1, inSecret));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        maskSecrets(v, depth + 1, inSecret || SECRET_KEY.test(k)),
      ]),
    );
  }
  return inSecret && (typeof value === 'string' || typeof value === 'number') ? '***' : value;
}
