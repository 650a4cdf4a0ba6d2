/** Turns named differences into one check's result: its status and a one-line message. */
import {
  type CheckDifference,
  type CheckKind,
  type CheckResult,
  worstStatus,
} from '../../../shared/model/checks';

/** How many differences the one-line message names before "and N more" (all stay in `differences`). */
const NAMED_IN_MESSAGE = 3;

export function resultOf(
  kind: CheckKind,
  differences: readonly CheckDifference[],
  passMessage: string,
): CheckResult {
  const status = worstStatus(differences.map((d) => d.severity));
  if (differences.length === 0) return { kind, status, message: passMessage, differences };
  const shown = differences.slice(0, NAMED_IN_MESSAGE).map((d) => `${d.object}: ${d.message}`);
  const more = differences.length - shown.length;
  return {
    kind,
    status,
    message: `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
    differences,
  };
}

export const fail = (object: string, message: string): CheckDifference => ({
  severity: 'fail',
  object,
  message,
});
export const warn = (object: string, message: string): CheckDifference => ({
  severity: 'warn',
  object,
  message,
});

/** "1 file" / "3 files". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
