/** A result reason: its severity comes from shared/statuses.ts, the one table of reasons. */
import type { ObjectRef, ResultReason } from '../../../shared/model/verification';
import { REASONS, type ReasonCode } from '../../../shared/statuses';

export function reason(code: ReasonCode, message: string, related?: readonly ObjectRef[]): ResultReason {
  const severity = REASONS[code].severity;
  return related && related.length > 0 ? { code, severity, message, related } : { code, severity, message };
}

export const isBlocking = (r: ResultReason): boolean => r.severity === 'error';

/** "a, b, c and 4 more": lists in messages stay one line long. */
export function few(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
