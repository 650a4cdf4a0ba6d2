/** Colours and words for batch, object and step states, one place for the whole page. */
import { Badge } from '@mantine/core';
import type { JobState, ObjectState, StepState } from '../../../shared/model/migration';

const COLORS: Readonly<Record<string, string>> = {
  queued: 'gray',
  running: 'blue',
  paused: 'yellow',
  cancelled: 'gray',
  reconciling: 'cyan',
  done: 'teal',
  migrated: 'teal',
  failed: 'red',
  blocked: 'orange',
  pending: 'gray',
  excluded: 'gray',
  'not-carried': 'grape',
  interrupted: 'orange',
};

export function StateBadge({ state }: { state: JobState | ObjectState | StepState | 'interrupted' }) {
  return (
    <Badge size="sm" variant="light" color={COLORS[state] ?? 'gray'} data-state={state}>
      {state}
    </Badge>
  );
}

/** "3 min 20 s" from seconds; "—" when unknown. */
export function etaText(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "2026-11-30 06:12:05" from an ISO time, in the viewer's zone. */
export function timeText(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
