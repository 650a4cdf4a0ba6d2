import { Badge, Group, Text, Timeline } from '@mantine/core';
import type { HistoryEntry, HistoryObjectKind } from '../../../shared/model/history';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';
import { useProjectChanges } from '../../hooks/use-project-changes';

const COLORS: Record<HistoryEntry['source'], string> = {
  inventory: 'gray',
  verification: 'blue',
  decision: 'orange',
  comment: 'yellow',
  migration: 'green',
  check: 'teal',
};

/** Everything that happened to one object, oldest first. */
export function HistoryTimeline(props: {
  projectId: string;
  kind: HistoryObjectKind;
  serverId: string;
  id: string;
}) {
  const history = useCall('history:object', props);
  // what another engineer did to the object appears with their name (the log moves fast in a batch)
  useProjectChanges(props.projectId, ['decisions', 'verification', 'comments', 'log'], history.reload, {
    everyMs: 1_000,
  });
  if (history.error) return <ApiErrorAlert error={history.error} />;
  if (!history.data) return null;
  if (history.data.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Nothing has happened to it yet.
      </Text>
    );
  return (
    <Timeline bulletSize={14} lineWidth={2} data-testid="history">
      {history.data.map((e, i) => (
        <Timeline.Item
          key={`${e.time}-${i}`}
          color={COLORS[e.source]}
          title={
            <Group gap={6}>
              <Badge size="xs" variant="light" color={COLORS[e.source]}>
                {e.source}
              </Badge>
              <Text size="sm">{e.title}</Text>
            </Group>
          }
        >
          <Text size="xs" c="dimmed">
            {e.time.slice(0, 19).replace('T', ' ')}
            {e.by ? ` · ${e.by}` : ''}
          </Text>
          {e.detail && (
            <Text size="xs" style={{ wordBreak: 'break-word' }}>
              {e.detail}
            </Text>
          )}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
