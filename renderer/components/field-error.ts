/**
 * A refused input shown on the field it concerns, in plain words: "Enter a name" on the Name
 * field, not "name: Too small: expected string to have >=1 characters" in an alert.
 */
import type { AppError } from '../../shared/result';

/** Whether the core's refusal names this field (its path, or a path ending in it: "connection.host"). */
export function isAbout(error: AppError | undefined, field: string): boolean {
  if (!error || !error.where) return false;
  return error.where === field || error.where.endsWith(`.${field}`);
}

/** The core's validation message for one field, said plainly; undefined when it is not about it. */
export function fieldError(error: AppError | undefined, field: string, label: string): string | undefined {
  if (!error || !isAbout(error, field)) return undefined;
  const raw = error.message.replace(/^[\w.]+: /, '');
  const what = label.toLowerCase();
  let m: RegExpExecArray | null;
  if (/expected string to have >=1 characters|Required|received undefined/i.test(raw))
    return `Enter ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}`;
  if ((m = /expected string to have <=(\d+) characters/.exec(raw))) return `At most ${m[1]} characters`;
  if ((m = /expected number to be >=(\d+)/.exec(raw))) return `At least ${m[1]}`;
  if ((m = /expected number to be <=(\d+)/.exec(raw))) return `At most ${m[1]}`;
  if (/expected number, received/i.test(raw)) return 'Enter a number';
  if (/Invalid URL/i.test(raw)) return 'Enter a full address, like https://host:8440/RPC2';
  // The core's own words (already plain), with a capital.
  return raw.charAt(0).toUpperCase() + raw.slice(1);
}

/** The error when no field of the form shows it (so it is said once, in the alert). */
export function unlessOnField(error: AppError | undefined, fields: readonly string[]): AppError | undefined {
  return error && fields.some((f) => isAbout(error, f)) ? undefined : error;
}
