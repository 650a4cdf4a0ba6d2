import { Alert, List, Loader, Text } from '@mantine/core';
import type { DecisionEffect, DecisionPreview } from '../../../shared/model/decision';
import type { VerificationStatus } from '../../../shared/statuses';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { statusLabel } from '../../components/verification-badges';

function label(e: DecisionEffect, status: string | null): string {
  return status === null ? 'not verified (left out)' : statusLabel(e.kind, status as VerificationStatus);
}

/** "zahn-termin.test: Manual approval required → Verification failed". */
export function effectText(e: DecisionEffect): string {
  return `${e.kind} ${e.name ?? e.id}: ${label(e, e.before)} → ${label(e, e.after)}`;
}

/**
 * Asks before a fix is applied, with everything it changes as the incremental verification
 * computes it: the object itself, and — in orange — every other object whose status it turns.
 */
export function FixPreviewDialog(props: {
  fix: string | undefined;
  preview: DecisionPreview | undefined;
  busy: boolean;
  onApply: () => void;
  onCancel: () => void;
}) {
  const { preview } = props;
  const others = preview?.effects.filter((e) => !e.subject) ?? [];
  const own = preview?.effects.filter((e) => e.subject) ?? [];
  return (
    <ConfirmDialog
      opened={props.fix !== undefined}
      title={`${props.fix ?? ''}?`}
      confirmLabel="Apply the fix"
      color="blue"
      busy={props.busy || preview === undefined}
      onCancel={props.onCancel}
      onConfirm={props.onApply}
    >
      <div data-testid="fix-preview">
        {!preview && <Loader size="sm" />}
        {preview && !preview.current && (
          <Text size="sm">
            The results are out of date, so what this changes cannot be shown: the decision is recorded, and
            the next verification run shows its effect.
          </Text>
        )}
        {preview?.current && own.length === 0 && others.length === 0 && (
          <Text size="sm">No verification status changes: the decision is recorded and can be undone.</Text>
        )}
        {own.length > 0 && (
          <List size="sm" mb="xs">
            {own.map((e) => (
              <List.Item key={`${e.kind}/${e.serverId}/${e.id}`}>{effectText(e)}</List.Item>
            ))}
          </List>
        )}
        {others.length > 0 && (
          <Alert color="orange" title={`Also changes ${others.length} other object(s)`} p="xs">
            <List size="sm" data-testid="fix-side-effects">
              {others.map((e) => (
                <List.Item key={`${e.kind}/${e.serverId}/${e.id}`} data-object={e.id}>
                  {effectText(e)}
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
      </div>
    </ConfirmDialog>
  );
}
