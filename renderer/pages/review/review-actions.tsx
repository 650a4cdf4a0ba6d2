import { Button, FileButton, Group, Text } from '@mantine/core';
import { useState } from 'react';
import type { ProjectSummary } from '../../../shared/model/project';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { downloadFile, readPickedFile } from '../../components/file-transfer';

/** Export for review, and merging a reviewer's comments back (on the original project). */
export function ReviewActions({ project, onMerged }: { project: ProjectSummary; onMerged: () => void }) {
  const [error, setError] = useState<AppError>();
  const [note, setNote] = useState<string>();
  const [busy, setBusy] = useState(false);

  const exportBundle = async (): Promise<void> => {
    setBusy(true);
    const r = await api.call('review:export', { projectId: project.id });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    downloadFile(r.value, 'application/gzip');
    setNote(`Saved ${r.value.fileName}: open it with "Open for review" on any Migration Manager.`);
  };

  const merge = async (file: File | null): Promise<void> => {
    if (!file) return;
    const r = await api.call('review:merge-comments', {
      projectId: project.id,
      ...(await readPickedFile(file)),
    });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setNote(`Merged ${r.value.added} new comments (${r.value.total} in ${file.name}).`);
    onMerged();
  };

  return (
    <>
      <Group>
        <Button variant="light" loading={busy} onClick={() => void exportBundle()}>
          {project.review ? 'Export with my comments' : 'Export for review'}
        </Button>
        {!project.review && (
          <FileButton onChange={(f) => void merge(f)} accept=".mmreview,application/gzip">
            {(props) => (
              <Button variant="default" {...props}>
                Merge reviewer comments
              </Button>
            )}
          </FileButton>
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
