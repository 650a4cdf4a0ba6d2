import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  active: 'green',
  suspended: 'orange',
  disabled: 'gray',
  expired: 'red',
  cancelled: 'gray',
  pending: 'blue',
};

/** A source object's state as a coloured badge. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge size="sm" variant="light" color={COLORS[status] ?? 'gray'}>
      {status}
    </Badge>
  );
}
