import { Badge, Button, Card, Group, Stack, Text, ThemeIcon } from '@mantine/core';
import { useCallback } from 'react';
import { useCall, useEvent } from '../../hooks/use-call';
import type { ProjectPage, Route } from '../../hooks/use-route';
import { useReadOnly } from '../../project-context';

type StepState = 'done' | 'attention' | 'todo';

interface Step {
  readonly key: string;
  readonly title: string;
  readonly page: ProjectPage;
  readonly state: StepState;
  /** Where the step stands, in a few words. */
  readonly status: string;
  /** The button that takes the engineer to it. */
  readonly action: string;
}

const COLOR: Record<StepState, string> = { done: 'green', attention: 'orange', todo: 'gray' };
const MARK: Record<StepState, string> = { done: '✓', attention: '!', todo: '·' };

/**
 * The way through a migration, in order: what is done, what needs attention, and a button to
 * the next step (source servers → target → templates → selection → verification → review →
 * migration).
 */
export function ProjectSteps({ projectId, navigate }: { projectId: string; navigate: (r: Route) => void }) {
  const readOnly = useReadOnly();
  const servers = useCall('servers:list', { projectId });
  const target = useCall('target:get', { projectId });
  const mappings = useCall('mapping:list', { projectId });
  const selection = useCall('selection:get', { projectId });
  const summary = useCall('verification:summary', { projectId });
  const reloadSummary = summary.reload;
  useEvent(
    'verification:changed',
    useCallback(() => reloadSummary(), [reloadSummary]),
  );
  if (!servers.data || !target.data || !mappings.data || !selection.data || !summary.data) return null;

  const fetched = servers.data.filter((s) => s.inventory).length;
  const complete = mappings.data.filter((m) => m.state === 'complete').length;
  const selected = selection.data.servers.reduce((n, s) => n + s.accounts + s.domains, 0);
  const s = summary.data;
  const failing = Object.entries(s.counts)
    .flatMap(([, counts]) => Object.entries(counts ?? {}))
    .filter(([status]) => status === 'verification-failed' || status === 'rejected')
    .reduce((n, [, c]) => n + c, 0);
  const waiting = s.counts.domain?.['manual-approval-required'] ?? 0;
  const targetSet = target.data.poa !== null && target.data.pba !== null;

  const steps: Step[] = [
    {
      key: 'servers',
      title: 'Source servers',
      page: 'servers',
      state: servers.data.length === 0 ? 'todo' : fetched < servers.data.length ? 'attention' : 'done',
      status:
        servers.data.length === 0
          ? 'none registered yet'
          : `${servers.data.length} registered, ${fetched} with an inventory`,
      action: servers.data.length === 0 ? 'Register a source server' : 'Open source servers',
    },
    {
      key: 'target',
      title: 'Target',
      page: 'target',
      state: targetSet ? 'done' : 'todo',
      status: targetSet
        ? target.data.sandbox
          ? 'the sandbox target'
          : 'POA and PBA set'
        : 'POA and PBA not set',
      action: targetSet ? 'Open the target' : 'Set the target',
    },
    {
      key: 'templates',
      title: 'Templates',
      page: 'templates',
      state: mappings.data.length === 0 ? 'todo' : complete === mappings.data.length ? 'done' : 'attention',
      status: `${complete} of ${mappings.data.length} mapped`,
      action: complete === mappings.data.length ? 'Open templates' : 'Map the templates',
    },
    {
      key: 'selection',
      title: 'Selection',
      page: 'selection',
      state: selected > 0 ? 'done' : 'todo',
      status: selected > 0 ? `${selected} accounts and domains selected` : 'nothing selected',
      action: selected > 0 ? 'Open the selection' : 'Select what to migrate',
    },
    {
      key: 'verification',
      title: 'Verification',
      page: 'verification',
      state: !s.verifiedAt || s.stale ? 'todo' : failing + waiting > 0 ? 'attention' : 'done',
      status: !s.verifiedAt
        ? 'not run yet'
        : s.stale
          ? 'out of date: run it again'
          : failing + waiting > 0
            ? `${failing} failed, ${waiting} waiting for approval`
            : 'everything passes',
      action: !s.verifiedAt || s.stale ? 'Run verification' : 'Resolve the issues',
    },
    {
      key: 'review',
      title: 'Review',
      page: 'dashboard',
      state: 'todo',
      status: 'optional: export for review, merge the comments back (below)',
      action: 'Export for review below',
    },
    {
      key: 'migration',
      title: 'Migration',
      page: 'migration',
      state: 'todo',
      status: 'after verification',
      action: 'Open migration',
    },
  ];
  // The first step not done (review is optional) is the next one.
  const next = steps.find((x) => x.state !== 'done' && x.key !== 'review') ?? steps[steps.length - 1];

  return (
    <Card withBorder data-testid="project-steps">
      <Group justify="space-between" mb="xs">
        <Text fw={600}>Steps</Text>
        {next && !readOnly && (
          <Button size="xs" onClick={() => navigate({ page: next.page, projectId })} data-testid="next-step">
            Next: {next.action}
          </Button>
        )}
      </Group>
      <Stack gap={4}>
        {steps.map((x, i) => (
          <Group
            key={x.key}
            gap="sm"
            wrap="nowrap"
            data-testid="project-step"
            data-step={x.key}
            data-state={x.state}
          >
            <ThemeIcon
              size="sm"
              radius="xl"
              color={COLOR[x.state]}
              variant={x.state === 'todo' ? 'light' : 'filled'}
            >
              {MARK[x.state]}
            </ThemeIcon>
            <Text size="sm" w={130} fw={x === next ? 700 : 500}>
              {i + 1}. {x.title}
            </Text>
            <Text size="sm" c="dimmed" style={{ flex: 1 }}>
              {x.status}
            </Text>
            {x === next && (
              <Badge size="xs" variant="light">
                next
              </Badge>
            )}
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
