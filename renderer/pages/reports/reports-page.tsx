import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReportFormat } from '../../../shared/model/report';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';
import { ReportButtons } from '../migration/migration-page';
import { formatTime } from '../../format';

/** Reports to save and share: self-contained HTML (printable) and CSV. */
export function ReportsPage({ projectId }: { projectId: string }) {
  const summary = useCall('verification:summary', { projectId });
  const [error, setError] = useState<AppError>();
  const [saved, setSaved] = useState<string>();

  // Saved as it is written (MmApi.download): the report never crosses as one string.
  const download = async (format: ReportFormat): Promise<void> => {
    const r = await api.download('reports:verification', { projectId, format });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    if (r.value.saved) setSaved(r.value.fileName);
  };

  return (
    <Stack>
      <Title order={2}>Reports</Title>
      <Card withBorder>
        <Stack gap="xs">
          <Text fw={600}>Verification report</Text>
          <Text size="sm" c="dimmed">
            Every verified account, domain and subscription with its status, the reasons in the seed's words
            and the fix, the charts, and every decision with its author.{' '}
            {summary.data?.verifiedAt
              ? `Last verified ${formatTime(summary.data.verifiedAt)}${summary.data.stale ? ' — results are out of date, verify again' : ''}.`
              : 'Nothing has been verified yet.'}
          </Text>
          <Group>
            <Button onClick={() => void download('html')}>Download HTML</Button>
            <Button variant="default" onClick={() => void download('csv')}>
              Download CSV
            </Button>
          </Group>
          {saved && (
            <Text size="sm" data-testid="report-saved">
              Saved {saved}
            </Text>
          )}
          {error && <ApiErrorAlert error={error} />}
        </Stack>
      </Card>
      <Card withBorder data-testid="reports-migration">
        <Stack gap="xs" align="flex-start">
          <Text fw={600}>Migration report</Text>
          <Text size="sm" c="dimmed">
            The newest batch: per object what was created on the target with its ids, what failed and the
            target&apos;s message, what could not be carried, and the read-back per kind.
          </Text>
          <ReportButtons projectId={projectId} />
        </Stack>
      </Card>
    </Stack>
  );
}
