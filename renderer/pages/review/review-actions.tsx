import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import type { ProjectSummary } from '../../../shared/model/project';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { UploadButton } from '../../components/upload-button';

/** Export for review, and merging a reviewer's comments back (on the original project). */
export function ReviewActions({ project, onMerged }: { project: ProjectSummary; onMerged: () => void }) {
  const [error, setError] = useState<AppError>();
  const [note, setNote] = useState<string>();
  const [busy, setBusy] = useState(false);

  // Saved as it is made (a bundle with a few 10x rehearsals is hundreds of MB): never a Blob here.
  const exportBundle = async (): Promise<void> => {
    setBusy(true);
    const r = await api.download('review:export', { projectId: project.id });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    if (r.value.saved)
      setNote(`Saved ${r.value.fileName}: open it with "Open for review" on any Migration Manager.`);
  };

  return (
    <>
      <Group>
        <Button variant="light" loading={busy} onClick={() => void exportBundle()}>
          {project.review ? 'Export with my comments' : 'Export for review'}
        </Button>
        {!project.review && (
          <UploadButton
            channel="review:merge-comments"
            request={{ projectId: project.id }}
            accept=".mmreview,application/gzip"
            label="Merge reviewer comments"
            onDone={(r) => {
              if (!r.ok) return setError(r.error);
              setError(undefined);
              if (!r.value.picked) return;
              setNote(
                `Merged ${r.value.value.added} new comments (${r.value.value.total} in ${r.value.fileName}).`,
              );
              onMerged();
            }}
          />
        )}
      </Group>
      {note && (
        <Text size="sm" c="dimmed" data-testid="review-note">
          {note}
        </Text>
      )}
      {error && <ApiErrorAlert error={error} />}
    </>
  );
}
