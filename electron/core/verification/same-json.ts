/**
 * Whether two values serialise to the same JSON text, decided without serialising them.
 *
 * A full run compares every new result with the one it replaces (60,000 at the bench's size,
 * 600,000 at ten times it); serialising both sides made two strings per result and kept the
 * garbage collector busy in proportion to the whole heap. This walks both values in
 * `JSON.stringify`'s order and stops at the first difference, allocating nothing but key lists.
 */

/** What `JSON.stringify` leaves out of an object (and writes as null in an array). */
const omitted = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/** True when `JSON.stringify(a) === JSON.stringify(b)`. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Anything with its own serialisation (a Date, a bigint's TypeError) is left to JSON itself.
  if (hasToJson(a) || hasToJson(b) || typeof a === 'bigint' || typeof b === 'bigint')
    return JSON.stringify(a) === JSON.stringify(b);
  if (omitted(a) || omitted(b)) return omitted(a) && omitted(b);
  if (typeof a === 'number' || typeof b === 'number') return sameNumberJson(a, b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return sameArrayJson(a, b as unknown[]);
  return sameObjectJson(a as Record<string, unknown>, b as Record<string, unknown>);
}

function hasToJson(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function';
}

/** Non-finite numbers are written as null, like null itself. */
function sameNumberJson(a: unknown, b: unknown): boolean {
  const asJson = (v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  const x = asJson(a);
  const y = asJson(b);
  // -0 and 0 are both written "0".
  return x === y;
}

/** Array holes and omitted values are written as null. */
function sameArrayJson(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = omitted(a[i]) ? null : a[i];
    const y = omitted(b[i]) ? null : b[i];
    if (!sameJson(x, y)) return false;
  }
  return true;
}

/** The same written keys in the same order, each with the same value. */
function sameObjectJson(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < ka.length && omitted(a[ka[i]!])) i++;
    while (j < kb.length && omitted(b[kb[j]!])) j++;
    if (i === ka.length || j === kb.length) return i === ka.length && j === kb.length;
    const key = ka[i]!;
    if (key !== kb[j] || !sameJson(a[key], b[key])) return false;
    i++;
    j++;
  }
}
