import { Button, Card, Group, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { ReviewObjectRef } from '../../../shared/model/review';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';
import { formatTime } from '../../format';

/** Review comments on one object (or the whole project), and a box to add one. */
export function CommentsPanel({ projectId, about }: { projectId: string; about?: ReviewObjectRef }) {
  const comments = useCall('review:comments', about ? { projectId, about } : { projectId });
  const [text, setText] = useState('');
  const [error, setError] = useState<AppError>();
  const add = async (): Promise<void> => {
    const r = await api.call('review:add-comment', {
      projectId,
      about: about ?? { kind: 'project', id: projectId },
      text,
    });
    if (!r.ok) return setError(r.error);
    setText('');
    setError(undefined);
    comments.reload();
  };
  return (
    <Stack gap="xs" data-testid="comments">
      <Text fw={600}>Review comments</Text>
      {comments.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No comments yet.
        </Text>
      )}
      {comments.data?.map((c) => (
        <Card key={c.id} withBorder padding="xs" data-testid="comment">
          <Text size="xs" c="dimmed">
            {c.author} · {formatTime(c.time)}
            {!about && ` · ${c.about.kind} ${c.about.id}${c.about.serverId ? ` (${c.about.serverId})` : ''}`}
          </Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {c.text}
          </Text>
        </Card>
      ))}
      <Textarea
        aria-label="New comment"
        placeholder="Leave a comment…"
        autosize
        minRows={2}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
      />
      {error && <ApiErrorAlert error={error} />}
      <Group justify="flex-end">
        <Button size="xs" disabled={text.trim() === ''} onClick={() => void add()}>
          Add comment
        </Button>
      </Group>
    </Stack>
  );
}
