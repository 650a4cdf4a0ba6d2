/** Colours and words for check statuses, one place for the page and the dashboard card. */
import { Badge } from '@mantine/core';
import type { CheckStatus } from '../../../shared/model/checks';

export const CHECK_COLORS: Readonly<Record<CheckStatus, string>> = {
  pass: 'teal',
  warn: 'yellow',
  fail: 'red',
};

export function CheckBadge({ status, label }: { status: CheckStatus; label?: string }) {
  return (
    <Badge size="sm" variant="light" color={CHECK_COLORS[status]} data-status={status}>
      {label ?? status}
    </Badge>
  );
}
