import '@mantine/charts/styles.css';
import { DonutChart } from '@mantine/charts';
import { Card, Group, SimpleGrid, Stack, Text, UnstyledButton } from '@mantine/core';
import type { VerificationSummary } from '../../../shared/model/verification';
import { STATUSES, type VerificationStatus, type VerifiedKind } from '../../../shared/statuses';
import { statusColor } from '../../components/verification-badges';

const KINDS: { kind: VerifiedKind; title: string }[] = [
  { kind: 'account', title: 'Accounts' },
  { kind: 'domain', title: 'Domains' },
  { kind: 'subscription', title: 'Subscriptions' },
];

/** Counts per status, one donut per kind; every count is a button that filters the table. */
export function StatusChart({
  summary,
  onPick,
}: {
  summary: VerificationSummary;
  onPick: (kind: VerifiedKind, status: VerificationStatus) => void;
}) {
  return (
    <SimpleGrid cols={{ base: 1, md: 3 }} data-testid="verification-counts">
      {KINDS.map(({ kind, title }) => {
        const table: Readonly<Record<string, { readonly label: string }>> = STATUSES[kind];
        const counts = summary.counts[kind];
        const entries = Object.keys(table)
          .map((status) => ({ status: status as VerificationStatus, count: counts[status] ?? 0 }))
          .filter((e) => e.count > 0);
        const total = entries.reduce((n, e) => n + e.count, 0);
        return (
          <Card withBorder key={kind} data-kind={kind} padding="sm">
            <Text fw={600} mb={4}>
              {title}{' '}
              <Text span c="dimmed">
                ({total})
              </Text>
            </Text>
            {/* Compact, and labels wrap inside the card: nothing is clipped at 1024 px. */}
            <Group align="center" wrap="nowrap" gap="xs">
              <DonutChart
                size={60}
                thickness={10}
                style={{ flex: 'none' }}
                withTooltip={false}
                chartLabel={total}
                aria-label={`${title} by status`}
                data={
                  entries.length > 0
                    ? entries.map((e) => ({
                        name: table[e.status]?.label ?? e.status,
                        value: e.count,
                        color: `${statusColor(e.status)}.6`,
                      }))
                    : [{ name: 'none', value: 1, color: 'gray.3' }]
                }
              />
              <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
                {entries.length === 0 && (
                  <Text size="sm" c="dimmed">
                    Nothing verified
                  </Text>
                )}
                {entries.map((e) => (
                  <UnstyledButton
                    key={e.status}
                    onClick={() => onPick(kind, e.status)}
                    data-testid={`count-${kind}-${e.status}`}
                    data-count={e.count}
                    aria-label={`${table[e.status]?.label ?? e.status}: ${e.count} ${title.toLowerCase()} — show them`}
                  >
                    <Group gap={4} wrap="nowrap" align="baseline">
                      <span
                        aria-hidden
                        style={{
                          flex: 'none',
                          width: 10,
                          height: 10,
                          borderRadius: 2,
                          background: `var(--mantine-color-${statusColor(e.status)}-6)`,
                        }}
                      />
                      <Text size="sm" fw={700}>
                        {e.count}
                      </Text>
                      <Text size="sm" style={{ minWidth: 0, overflowWrap: 'break-word' }}>
                        {table[e.status]?.label ?? e.status}
                      </Text>
                    </Group>
                  </UnstyledButton>
                ))}
              </Stack>
            </Group>
          </Card>
        );
      })}
    </SimpleGrid>
  );
}
