import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  List,
  Loader,
  Modal,
  Progress,
  ScrollArea,
  Stack,
  Text,
} from '@mantine/core';
import { useState } from 'react';
import type { MappingBulkResult } from '../../../shared/contract';
import type { MappingInput, MappingSuggestions } from '../../../shared/model/mapping';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { CLASS_LABELS } from './mapping-editor';

const key = (m: MappingInput): string => `${m.serverId}/${m.templateId}`;

/** Suggestions are only pre-ticked when they are fairly sure; nothing is stored before "Apply selected". */
const PRESELECT = 0.5;

function describeTarget(m: MappingInput): string {
  const parts: string[] = [];
  if (m.poaTemplateId !== undefined) parts.push(`POA template ${m.poaTemplateId}`);
  if (m.pbaPlanId !== undefined) parts.push(`PBA plan ${m.pbaPlanId}`);
  for (const t of m.tlds ?? []) parts.push(`${t.tld} → plan ${t.pbaPlanId} (${t.registrarType})`);
  return parts.length > 0 ? parts.join(', ') : 'no target ids';
}

/** "Suggest": proposals by name and resources, reviewed and ticked by the engineer before they apply. */
export function SuggestionsModal(props: {
  projectId: string;
  opened: boolean;
  suggestions: MappingSuggestions | undefined;
  loading: boolean;
  error: AppError | undefined;
  onClose: () => void;
  onApplied: (result: MappingBulkResult) => void;
}) {
  return (
    <Modal opened={props.opened} onClose={props.onClose} size="xl" title="Suggested mappings">
      {props.loading && (
        <Group gap="xs">
          <Loader size="xs" />
          <Text size="sm">Comparing the templates with the target&apos;s lists…</Text>
        </Group>
      )}
      {props.error && <ApiErrorAlert error={props.error} title="No suggestions" />}
      {props.suggestions && (
        <SuggestionList
          key={props.suggestions.suggestions.map((s) => key(s.input)).join('|')}
          projectId={props.projectId}
          data={props.suggestions}
          onCancel={props.onClose}
          onApplied={props.onApplied}
        />
      )}
    </Modal>
  );
}

function SuggestionList({
  projectId,
  data,
  onCancel,
  onApplied,
}: {
  projectId: string;
  data: MappingSuggestions;
  onCancel: () => void;
  onApplied: (result: MappingBulkResult) => void;
}) {
  const [chosen, setChosen] = useState<ReadonlySet<string>>(
    () => new Set(data.suggestions.filter((s) => s.confidence >= PRESELECT).map((s) => key(s.input))),
  );
  const [error, setError] = useState<AppError>();
  const [result, setResult] = useState<MappingBulkResult>();
  const [busy, setBusy] = useState(false);

  const toggle = (k: string, on: boolean): void =>
    setChosen((s) => {
      const next = new Set(s);
      if (on) next.add(k);
      else next.delete(k);
      return next;
    });

  const apply = async (): Promise<void> => {
    const mappings = data.suggestions.filter((s) => chosen.has(key(s.input))).map((s) => s.input);
    if (mappings.length === 0) return;
    setBusy(true);
    const r = await api.call('mapping:apply-suggestions', { projectId, mappings });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setResult(r.value);
    onApplied(r.value);
  };

  if (result)
    return (
      <Stack data-testid="suggestions-result">
        <Alert color={result.failed.length === 0 ? 'green' : 'yellow'} title="Suggestions applied">
          {result.applied.length} mapping(s) stored
          {result.failed.length > 0 ? `, ${result.failed.length} refused:` : '.'}
          {result.failed.length > 0 && (
            <List size="sm" mt="xs">
              {result.failed.map((f) => (
                <List.Item key={`${f.serverId}/${f.templateId}`}>
                  {f.templateId}: {f.message}
                </List.Item>
              ))}
            </List>
          )}
        </Alert>
        <Group justify="flex-end">
          <Button onClick={onCancel}>Close</Button>
        </Group>
      </Stack>
    );

  return (
    <Stack data-testid="suggestions">
      {!data.targetReachable && (
        <Alert color="yellow" title="The target does not answer">
          {data.targetError ?? 'Suggestions by name only'}: accepted mappings are stored unverified.
        </Alert>
      )}
      {data.suggestions.length === 0 && <Text c="dimmed">Every template is mapped already.</Text>}
      <Group gap="xs">
        <Button
          size="xs"
          variant="subtle"
          onClick={() => setChosen(new Set(data.suggestions.map((s) => key(s.input))))}
        >
          Select all
        </Button>
        <Button size="xs" variant="subtle" onClick={() => setChosen(new Set())}>
          Select none
        </Button>
        <Text size="sm" c="dimmed">
          {chosen.size} of {data.suggestions.length} selected
        </Text>
      </Group>
      <ScrollArea.Autosize mah="60vh">
        <Stack gap="xs">
          {data.suggestions.map((s) => {
            const k = key(s.input);
            const pct = Math.round(s.confidence * 100);
            return (
              <Card
                key={k}
                withBorder
                padding="sm"
                data-testid="suggestion"
                data-template={s.input.templateId}
              >
                <Group justify="space-between" wrap="nowrap" align="flex-start">
                  <Checkbox
                    checked={chosen.has(k)}
                    onChange={(e) => toggle(k, e.currentTarget.checked)}
                    label={
                      <Text fw={600} size="sm">
                        {s.templateName}
                      </Text>
                    }
                    description={`${s.input.templateId} on ${s.input.serverId}`}
                    aria-label={`Apply the suggestion for ${s.templateName}`}
                  />
                  <Stack gap={2} align="flex-end" miw={140}>
                    <Badge
                      variant="light"
                      color={pct >= 50 ? 'green' : pct >= 25 ? 'yellow' : 'red'}
                      data-testid="confidence"
                    >
                      {pct}% sure
                    </Badge>
                    <Progress
                      value={pct}
                      w={120}
                      size="sm"
                      aria-label={`Confidence ${pct}%`}
                      color={pct >= 50 ? 'green' : pct >= 25 ? 'yellow' : 'red'}
                    />
                  </Stack>
                </Group>
                <Text size="sm" mt={6}>
                  <b>{CLASS_LABELS[s.input.class]}</b> → {describeTarget(s.input)}
                </Text>
                <List size="xs" c="dimmed" mt={4}>
                  {s.why.map((w) => (
                    <List.Item key={w}>{w}</List.Item>
                  ))}
                </List>
              </Card>
            );
          })}
        </Stack>
      </ScrollArea.Autosize>
      {error && <ApiErrorAlert error={error} title="The suggestions were not applied" />}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button onClick={() => void apply()} loading={busy} disabled={chosen.size === 0}>
          Apply selected ({chosen.size})
        </Button>
      </Group>
    </Stack>
  );
}
