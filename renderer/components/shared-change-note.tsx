/**
 * One line saying who last changed what a page shows, when the change came from another app,
 * script or worker on a shared project (the page has refetched already). Nothing otherwise.
 */
import { Text } from '@mantine/core';
import type { ProjectPart, SharedChange } from '../../shared/model/project-changes';
import { formatTime } from '../format';

const WHAT: Readonly<Record<ProjectPart, string>> = {
  project: 'the project',
  inventory: 'an inventory',
  mapping: 'the mapping',
  selection: 'the selection',
  decisions: 'the decisions',
  verification: 'the verification results',
  comments: 'the comments',
  migration: 'a batch',
  log: 'the migration log',
  rehearsal: 'a rehearsal',
  signoff: 'the sign-offs',
  checks: 'the checks',
  cutover: 'the cut-over',
  target: 'the target',
  other: 'the project',
};

/** "alice@ws3:4711" → "alice@ws3": the process id tells engineers nothing. */
export function writerName(by: string): string {
  return by.replace(/:\d+$/, '');
}

export function sharedChangeText(change: SharedChange): string {
  if (change.catchUp)
    return `Reconnected to the shared database (${formatTime(change.at)}): ${WHAT[change.part]} re-read, with what others changed meanwhile.`;
  const who = [...new Set(change.by.map(writerName))];
  const by = who.length === 0 ? 'a worker' : who.join(', ');
  return `${by} changed ${WHAT[change.part]} (${formatTime(change.at)}); shown as it is now.`;
}

export function SharedChangeNote({ change }: { change: SharedChange | undefined }) {
  if (!change) return null;
  return (
    <Text size="xs" c="dimmed" data-testid="shared-change">
      {sharedChangeText(change)}
    </Text>
  );
}
