/**
 * Verification statuses and reasons as coloured badges: the colour says how bad it is
 * (severity), the text is the title from shared/statuses.ts — nothing here spells a reason out.
 */
import { Badge, Tooltip } from '@mantine/core';
import {
  REASONS,
  type ReasonCode,
  type ReasonSeverity,
  STATUSES,
  type VerificationStatus,
  type VerifiedKind,
} from '../../shared/statuses';

/** How a status weighs: it migrates, waits for the engineer, is left out on purpose, or blocks. */
export type StatusTone = 'ok' | 'waiting' | 'excluded' | 'blocked';

const TONE_COLOR: Record<StatusTone, string> = {
  ok: 'green',
  waiting: 'yellow',
  excluded: 'gray',
  blocked: 'red',
};

export const SEVERITY_COLOR: Record<ReasonSeverity, string> = {
  error: 'red',
  approval: 'yellow',
  warning: 'orange',
  info: 'blue',
};

export function statusTone(status: VerificationStatus): StatusTone {
  if (status === 'manual-approval-required') return 'waiting';
  if (status === 'not-migrated') return 'excluded';
  if (status === 'verification-failed' || status === 'rejected') return 'blocked';
  return 'ok';
}

/** Mantine colour of a status (badges, chart slices). */
export function statusColor(status: VerificationStatus): string {
  return TONE_COLOR[statusTone(status)];
}

/** The label of a status for a kind of object, as shared/statuses.ts words it. */
export function statusLabel(kind: VerifiedKind | undefined, status: VerificationStatus): string {
  const kinds: readonly VerifiedKind[] = kind ? [kind] : ['account', 'domain', 'subscription'];
  for (const k of kinds) {
    const table: Readonly<Record<string, { readonly label: string }>> = STATUSES[k];
    const info = table[status];
    if (info) return info.label;
  }
  return status;
}

export function reasonTitle(code: string): string {
  return code in REASONS ? REASONS[code as ReasonCode].title : code;
}

export function VerificationStatusBadge({
  kind,
  status,
}: {
  kind?: VerifiedKind;
  status: VerificationStatus;
}) {
  return (
    <Badge
      size="sm"
      variant="light"
      color={statusColor(status)}
      data-status={status}
      style={{ textTransform: 'none' }}
    >
      {statusLabel(kind, status)}
    </Badge>
  );
}

/** A reason code as its short title, coloured by severity; the code itself on hover. */
export function ReasonBadge({ code }: { code: ReasonCode }) {
  const info = REASONS[code];
  return (
    <Tooltip label={code} openDelay={400}>
      <Badge
        size="sm"
        variant="outline"
        color={SEVERITY_COLOR[info.severity]}
        data-reason={code}
        style={{ textTransform: 'none' }}
      >
        {info.title}
      </Badge>
    </Tooltip>
  );
}

export function SeverityBadge({ severity }: { severity: ReasonSeverity }) {
  return (
    <Badge size="xs" variant="filled" color={SEVERITY_COLOR[severity]}>
      {severity}
    </Badge>
  );
}
