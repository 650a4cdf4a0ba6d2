/** Keys whose values are secrets wherever they appear in a logged structure. */
const SECRET_KEY = /pass(word|phrase)?|secret|token|private.?key|crypted|credential|auth/i;

/** A copy of a value for the log: secret-looking fields replaced by "***", recursively. */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 12) return '…';
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) && (typeof v === 'string' || typeof v === 'number')
          ? '***'
          : maskSecrets(v, depth + 1),
      ]),
    );
  }
  return value;
}
