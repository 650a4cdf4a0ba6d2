import { Alert, Card, Divider, Stack, Text, Title } from '@mantine/core';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';
import { TargetBrowser } from './target-browser';
import { TargetForm } from './target-form';
import { TargetNodes } from './target-nodes';
import { TargetTestPanel } from './target-test-panel';
import { useReadOnly } from '../../project-context';

/** The project's target: where the migration provisions (POA + PBA OpenAPI). */
export function TargetPage({ projectId }: { projectId: string }) {
  const target = useCall('target:get', { projectId });
  const readOnly = useReadOnly();
  if (target.error) return <ApiErrorAlert error={target.error} title="The target cannot be read" />;
  const t = target.data;
  if (!t) return null;
  const configured = t.poa !== null || t.pba !== null;
  return (
    <Stack>
      <Title order={2}>Target</Title>
      <Text c="dimmed">
        The POA and PBA OpenAPI endpoints the migration provisions through (XML-RPC, usually ports 8440 and
        5224 at /RPC2).
      </Text>
      {t.sandbox && (
        <Alert color="blue" title="Sandbox target">
          This project rehearses against the built-in sandbox target, started with the app.
        </Alert>
      )}
      {readOnly ? (
        <Card withBorder data-testid="target-read-only">
          <Text size="sm">POA: {t.poa ? `${t.poa.url} as ${t.poa.user}` : 'not set'}</Text>
          <Text size="sm">PBA: {t.pba ? `${t.pba.url} as ${t.pba.user}` : 'not set'}</Text>
          <Text size="sm" c="dimmed">
            The target is not reachable from a review copy.
          </Text>
        </Card>
      ) : (
        <Card withBorder>
          {/* Keyed by the stored values so the form restarts from what was saved. */}
          <TargetForm key={JSON.stringify(t)} projectId={projectId} current={t} onSaved={target.reload} />
        </Card>
      )}
      {configured && !readOnly && (
        <>
          <Card withBorder>
            <TargetTestPanel projectId={projectId} />
          </Card>
          <Card withBorder>
            <TargetNodes projectId={projectId} />
          </Card>
          <Divider />
          <TargetBrowser key={JSON.stringify(t)} projectId={projectId} />
        </>
      )}
    </Stack>
  );
}
