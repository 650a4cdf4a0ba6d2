import {
  Alert,
  Anchor,
  Badge,
  Blockquote,
  Button,
  Card,
  Drawer,
  Group,
  Loader,
  Stack,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useCallback, useState } from 'react';
import type { Decision, DecisionInput, DecisionPreview } from '../../../shared/model/decision';
import type { MappingInput } from '../../../shared/model/mapping';
import type { FixOffer, ObjectRef, VerificationDetail } from '../../../shared/model/verification';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { CopyIdButton } from '../../components/copy-id-button';
import { ReasonBadge, SeverityBadge, VerificationStatusBadge } from '../../components/verification-badges';
import { useCall, useEvent } from '../../hooks/use-call';
import { useProjectChanges } from '../../hooks/use-project-changes';
import type { Route } from '../../hooks/use-route';
import { CommentsPanel } from '../review/comments-panel';
import { HistoryTimeline } from '../review/history-timeline';
import { MappingEditor, type MappingSubject } from '../mapping/mapping-editor';
import { useReadOnly } from '../../project-context';
import { REASONS } from '../../../shared/statuses';
import { citation } from '../../citation';
import { FixPreviewDialog, effectText } from './fix-preview';

/** One verified object: its status, every reason with the seed's wording, the fix, and the fix as buttons. */
export function DetailDrawer(props: {
  projectId: string;
  opened: ObjectRef | undefined;
  onOpen: (ref: ObjectRef) => void;
  onClose: () => void;
  onChanged: () => void;
  navigate: (r: Route) => void;
}) {
  const { opened } = props;
  return (
    <Drawer
      opened={opened !== undefined}
      onClose={props.onClose}
      position="right"
      size="xl"
      title={opened ? `${opened.kind} ${opened.id}` : ''}
    >
      {opened && (
        <Detail
          key={`${opened.kind}/${opened.serverId}/${opened.id}`}
          projectId={props.projectId}
          opened={opened}
          onOpen={props.onOpen}
          onChanged={props.onChanged}
          navigate={props.navigate}
        />
      )}
    </Drawer>
  );
}

function Detail({
  projectId,
  opened,
  onOpen,
  onChanged,
  navigate,
}: {
  projectId: string;
  opened: ObjectRef;
  onOpen: (ref: ObjectRef) => void;
  onChanged: () => void;
  navigate: (r: Route) => void;
}) {
  const detail = useCall('verification:detail', { projectId, ...opened });
  const mappings = useCall('mapping:list', { projectId, serverId: opened.serverId });
  const servers = useCall('servers:list', { projectId });
  const serverName = (id: string): string => servers.data?.find((s) => s.id === id)?.name ?? id;
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<AppError>();
  const [outcome, setOutcome] = useState<{ text: string; decision: Decision; also: string[] }>();
  const [remapping, setRemapping] = useState<MappingSubject>();
  const [asking, setAsking] = useState<{ offer: FixOffer; preview?: DecisionPreview }>();
  const readOnly = useReadOnly();
  const reloadDetail = detail.reload;
  // Results changed elsewhere (a run, another window, the CLI): show the object as it is now.
  useEvent(
    'verification:changed',
    useCallback(
      (e: { projectId: string }) => {
        if (e.projectId === projectId) reloadDetail();
      },
      [projectId, reloadDetail],
    ),
  );
  // another engineer's decision or re-verification on a shared project
  useProjectChanges(projectId, ['decisions', 'verification'], reloadDetail);

  const apply = async (
    decision: DecisionInput,
    label: string,
    preview?: DecisionPreview,
  ): Promise<AppError | undefined> => {
    setBusy(label);
    const r = await api.call('decisions:apply', { projectId, decision });
    setBusy(undefined);
    setAsking(undefined);
    if (!r.ok) {
      setError(r.error);
      return r.error;
    }
    setError(undefined);
    const re = r.value.reverified;
    setOutcome({
      decision: r.value.decision,
      text: `${r.value.decision.summary}.${re ? ` Re-verified ${re.recomputed} result(s) in ${re.ms} ms: ${re.changed} changed.` : ' Run verification to see its effect.'}`,
      also: (preview?.effects ?? []).filter((e) => !e.subject).map(effectText),
    });
    detail.reload();
    onChanged();
    return undefined;
  };

  const undo = async (decision: Decision): Promise<void> => {
    setBusy('undo');
    const r = await api.call('decisions:undo', { projectId, decisionId: decision.id });
    setBusy(undefined);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setOutcome(undefined);
    detail.reload();
    onChanged();
  };

  /** A decision is applied only after the engineer has seen everything it changes. */
  const ask = async (o: FixOffer, decision: DecisionInput): Promise<void> => {
    setAsking({ offer: o });
    const r = await api.call('decisions:preview', { projectId, decision });
    if (!r.ok) {
      setAsking(undefined);
      setError(r.error);
      return;
    }
    setAsking({ offer: o, preview: r.value });
  };

  const offer = (o: FixOffer): void => {
    if (o.decision) {
      void ask(o, o.decision);
      return;
    }
    if (o.template) {
      const { serverId, templateId } = o.template;
      const row = mappings.data?.find((m) => m.serverId === serverId && m.templateId === templateId);
      setRemapping(row ?? { serverId, templateId });
      return;
    }
    const serverId = o.object?.serverId ?? opened.serverId;
    if (o.action === 'settings') navigate({ page: 'servers', projectId });
    else if (o.action === 'inventory')
      navigate({
        page: 'inventory',
        projectId,
        params: { kind: `${o.object?.kind ?? opened.kind}s`, server: serverId, q: o.object?.id ?? opened.id },
      });
    else if (o.action === 'select')
      navigate({
        page: 'selection',
        projectId,
        params: {
          kind: (o.object?.kind ?? opened.kind) === 'account' ? 'accounts' : 'domains',
          server: serverId,
          q: o.object?.id ?? opened.id,
        },
      });
  };

  if (detail.error) return <ApiErrorAlert error={detail.error} title="No verification result" />;
  const d: VerificationDetail | undefined = detail.data;
  if (!d) return <Loader />;
  const r = d.result;

  return (
    <Stack data-testid="verification-detail" data-status={r.status} data-object={r.id}>
      <Group gap="xs">
        <Title order={4}>{r.name ?? r.id}</Title>
        <VerificationStatusBadge kind={r.kind} status={r.status} />
        <CopyIdButton id={r.id} />
      </Group>
      <Text size="sm" c="dimmed">
        {r.kind} {r.id} on {serverName(r.serverId)} · account {r.accountId}
        {r.templateId ? ` · template ${r.templateId}` : ''} · Migration API v{r.apiVersion}
        {r.destination ? ` · goes to ${r.destination.toUpperCase()}` : ''}
      </Text>
      {r.plan && (
        <Text size="sm">
          Plan: hosting {r.plan.hosting ?? '—'}, registration {r.plan.registration ?? '—'}
          {r.plan.resources.length > 0 ? `, resources ${r.plan.resources.join(', ')}` : ''}
          {r.plan.park ? ', parked on the target' : ''}
        </Text>
      )}
      {outcome && (
        <Alert
          color="green"
          title="Decision recorded"
          withCloseButton
          onClose={() => setOutcome(undefined)}
          data-testid="decision-outcome"
        >
          <Stack gap={4}>
            <Text size="sm">{outcome.text}</Text>
            {outcome.also.map((line) => (
              <Text size="sm" key={line} c="orange.8">
                Also changed {line}
              </Text>
            ))}
            <Group>
              <Button
                size="compact-sm"
                variant="light"
                color="orange"
                loading={busy === 'undo'}
                onClick={() => void undo(outcome.decision)}
              >
                Undo
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      {error && <ApiErrorAlert error={error} title="The fix was not applied" />}
      {d.reasons.length === 0 && (
        <Text size="sm" c="dimmed">
          No reasons: nothing to resolve.
        </Text>
      )}
      {d.reasons.map((reason, i) => {
        // A fix offered by several reasons is one button, under the first reason that offers it.
        const offers = readOnly
          ? []
          : reason.offers.filter((o) =>
              d.reasons.slice(0, i).every((prev) => prev.offers.every((p) => p.label !== o.label)),
            );
        const named = (reason.related ?? []).filter((x) => x.id !== r.id);
        return (
          <Card key={`${reason.code}-${i}`} withBorder data-testid="reason" data-reason={reason.code}>
            <Stack gap={6}>
              <Group gap="xs">
                <SeverityBadge severity={reason.severity} />
                <Text fw={600}>{reason.title}</Text>
                <Text size="xs" c="dimmed" ff="monospace">
                  {reason.code}
                </Text>
              </Group>
              <Text size="sm">{reason.message}</Text>
              {reason.seed && (
                <Blockquote p="xs" color="gray" fz="sm" cite={`— ${citation(REASONS[reason.code].source)}`}>
                  {reason.seed}
                </Blockquote>
              )}
              {named.length > 0 && (
                <Group gap={6} data-testid="reason-objects">
                  <Text size="sm">Named here:</Text>
                  {named.map((x) => (
                    <Anchor
                      key={`${x.kind}/${x.serverId}/${x.id}`}
                      component="button"
                      size="sm"
                      onClick={() => onOpen(x)}
                    >
                      {x.kind} {d.related.find((y) => y.kind === x.kind && y.id === x.id)?.name ?? x.id}
                    </Anchor>
                  ))}
                </Group>
              )}
              <Text size="sm">
                <b>Fix:</b> {reason.fix}
              </Text>
              {offers.length > 0 && (
                <Group gap="xs">
                  {offers.map((o) => (
                    <Button
                      key={o.label}
                      size="xs"
                      variant={o.decision ? 'filled' : 'light'}
                      loading={busy === o.label}
                      disabled={busy !== undefined && busy !== o.label}
                      onClick={() => offer(o)}
                    >
                      {o.label}
                    </Button>
                  ))}
                </Group>
              )}
            </Stack>
          </Card>
        );
      })}
      {d.related.length > 0 && (
        <Stack gap={4} data-testid="related">
          <Text fw={600} size="sm">
            Related objects
          </Text>
          {d.related.map((x) => (
            <UnstyledButton
              key={`${x.kind}/${x.serverId}/${x.id}`}
              onClick={() => onOpen({ kind: x.kind, serverId: x.serverId, id: x.id })}
              aria-label={`Open ${x.kind} ${x.name ?? x.id} on ${x.serverId}`}
              data-testid="related-object"
              data-object={x.id}
              data-status={x.status}
            >
              <Group gap="xs" wrap="nowrap">
                <Badge size="xs" variant="outline" color="gray">
                  {x.kind}
                </Badge>
                <Text size="sm">
                  {x.name ?? x.id}
                  {x.name && x.name !== x.id ? ` (${x.id})` : ''} on {serverName(x.serverId)}
                </Text>
                <VerificationStatusBadge kind={x.kind} status={x.status} />
                {x.reasons.slice(0, 2).map((rr) => (
                  <ReasonBadge key={rr.code} code={rr.code} />
                ))}
              </Group>
            </UnstyledButton>
          ))}
        </Stack>
      )}
      {d.decisionIds.length > 0 && (
        <Text size="sm" c="dimmed">
          {d.decisionIds.length} decision(s) about this object
          {readOnly ? '' : ': see the Decisions tab to undo'}.
        </Text>
      )}
      <FixPreviewDialog
        fix={asking?.offer.label}
        preview={asking?.preview}
        busy={busy !== undefined}
        onCancel={() => setAsking(undefined)}
        onApply={() => {
          const decision = asking?.offer.decision;
          if (asking && decision) void apply(decision, asking.offer.label, asking.preview);
        }}
      />
      <Text fw={600}>History</Text>
      <HistoryTimeline
        key={`${r.status}-${d.decisionIds.length}`}
        projectId={projectId}
        kind={opened.kind}
        serverId={opened.serverId}
        id={opened.id}
      />
      <CommentsPanel
        projectId={projectId}
        about={{ kind: opened.kind, id: opened.id, serverId: opened.serverId }}
      />
      <MappingEditor
        projectId={projectId}
        subject={remapping}
        saveLabel="Re-map and re-verify"
        onClose={() => setRemapping(undefined)}
        onSave={async (mapping: MappingInput) => {
          const e = await apply({ kind: 'remap', mapping }, 'remap');
          if (!e) setRemapping(undefined);
          return e;
        }}
      />
    </Stack>
  );
}
