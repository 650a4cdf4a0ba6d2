import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Group,
  Loader,
  Modal,
  NumberInput,
  Radio,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import {
  type MappingInput,
  type MappingRow,
  TEMPLATE_CLASSES,
  type TemplateClass,
  type TldMapping,
} from '../../../shared/model/mapping';
import type { ServicePlanInfo } from '../../../shared/model/target';
import type { AppError } from '../../../shared/result';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';

/** Template classes in words, everywhere a class is shown. */
export const CLASS_LABELS: Record<TemplateClass, string> = {
  hosting: 'Hosting',
  registration: 'Domain registration',
  'hosting+registration': 'Hosting + registration',
  resource: 'Resource',
};

/** The agents' template kinds (hostingPlatformInfo's kind attribute), in the same words. */
export const HINT_LABELS: Record<string, string> = {
  hosting: 'Hosting',
  domainRegistration: 'Domain registration',
  hostingAndDomainRegistration: 'Hosting + registration',
  resource: 'Resource',
};

const HINT_CLASS: Record<string, TemplateClass> = {
  hosting: 'hosting',
  domainRegistration: 'registration',
  hostingAndDomainRegistration: 'hosting+registration',
  resource: 'resource',
};

const hasHosting = (c: TemplateClass): boolean => c === 'hosting' || c === 'hosting+registration';
const hasRegistration = (c: TemplateClass): boolean => c === 'registration' || c === 'hosting+registration';

interface TldForm {
  readonly key: number;
  readonly tld: string;
  readonly planId: number | undefined;
  readonly registrarType: string;
}

/** The template a mapping is about: a mapping row, or just its server and id (a fix from verification). */
export type MappingSubject = Pick<MappingRow, 'serverId' | 'templateId'> &
  Partial<Pick<MappingRow, 'templateName' | 'kindHint' | 'tlds' | 'mapping'>>;

/**
 * Classify one external service template and pick what it becomes on the target, from the
 * target's live lists ('target:test'). The caller decides how it is stored (mapping:set, or a
 * remap decision).
 */
export function MappingEditor(props: {
  projectId: string;
  subject: MappingSubject | undefined;
  onClose: () => void;
  onSave: (input: MappingInput) => Promise<AppError | undefined>;
  saveLabel?: string;
}) {
  const { subject } = props;
  return (
    <Modal
      opened={subject !== undefined}
      onClose={props.onClose}
      size="lg"
      title={subject ? `Map ${subject.templateName ?? subject.templateId}` : ''}
    >
      {subject && (
        <EditorForm
          key={`${subject.serverId}/${subject.templateId}`}
          projectId={props.projectId}
          subject={subject}
          onCancel={props.onClose}
          onSave={props.onSave}
          saveLabel={props.saveLabel ?? 'Save mapping'}
        />
      )}
    </Modal>
  );
}

function EditorForm({
  projectId,
  subject,
  onCancel,
  onSave,
  saveLabel,
}: {
  projectId: string;
  subject: MappingSubject;
  onCancel: () => void;
  onSave: (input: MappingInput) => Promise<AppError | undefined>;
  saveLabel: string;
}) {
  const target = useCall('target:test', { projectId });
  const m = subject.mapping;
  const [cls, setCls] = useState<TemplateClass>(m?.class ?? HINT_CLASS[subject.kindHint ?? ''] ?? 'hosting');
  const [poaTemplateId, setPoaTemplateId] = useState<number | undefined>(m?.poaTemplateId);
  const [pbaPlanId, setPbaPlanId] = useState<number | undefined>(
    m?.class !== 'resource' ? m?.pbaPlanId : undefined,
  );
  const [resourcePlanId, setResourcePlanId] = useState<number | undefined>(
    m?.class === 'resource' ? m.pbaPlanId : undefined,
  );
  const [nextKey, setNextKey] = useState(1000);
  const [tlds, setTlds] = useState<TldForm[]>(() => {
    const mapped = m?.tlds ?? [];
    const registrar = mapped[0]?.registrarType ?? '';
    const fromMapping = mapped.map((t, i) => ({
      key: i,
      tld: t.tld,
      planId: t.pbaPlanId,
      registrarType: t.registrarType,
    }));
    const needed = (subject.tlds ?? [])
      .filter((t) => !mapped.some((x) => x.tld === t))
      .map((tld, i) => ({ key: 500 + i, tld, planId: undefined, registrarType: registrar }));
    return [...fromMapping, ...needed];
  });
  const [error, setError] = useState<AppError>();
  const [saving, setSaving] = useState(false);

  const lists = target.data;
  const plans = (category: ServicePlanInfo['category']): readonly ServicePlanInfo[] =>
    (lists?.pba.items ?? []).filter((p) => p.category === category);

  const pickPoa = (id: number | undefined): void => {
    setPoaTemplateId(id);
    // A hosting plan must provision the chosen template: pick the first that does.
    const current = plans('hosting').find((p) => p.id === pbaPlanId);
    if (
      id !== undefined &&
      (!current || (current.serviceTemplateId !== 0 && current.serviceTemplateId !== id))
    ) {
      setPbaPlanId(plans('hosting').find((p) => p.serviceTemplateId === id)?.id);
    }
  };

  const input = (): MappingInput => {
    const tldList: TldMapping[] = tlds
      .filter((t) => t.tld.trim() !== '' && t.planId !== undefined)
      .map((t) => ({
        tld: t.tld.trim().toLowerCase(),
        pbaPlanId: t.planId ?? 0,
        registrarType: t.registrarType.trim(),
      }));
    return {
      serverId: subject.serverId,
      templateId: subject.templateId,
      class: cls,
      ...(hasHosting(cls) && poaTemplateId !== undefined ? { poaTemplateId } : {}),
      ...(hasHosting(cls) && pbaPlanId !== undefined ? { pbaPlanId } : {}),
      ...(cls === 'resource' && resourcePlanId !== undefined ? { pbaPlanId: resourcePlanId } : {}),
      ...(hasRegistration(cls) ? { tlds: tldList } : {}),
    };
  };

  // What each required field still lacks, shown on the field itself; Save waits for all of them.
  const fieldErrors = {
    poa: hasHosting(cls) && poaTemplateId === undefined ? 'Pick the POA service template' : undefined,
    pba: hasHosting(cls) && pbaPlanId === undefined ? 'Pick the PBA hosting plan' : undefined,
    resource: cls === 'resource' && resourcePlanId === undefined ? 'Pick the PBA resource plan' : undefined,
    tlds: hasRegistration(cls) && tlds.length === 0 ? 'Add the TLDs this template registers' : undefined,
  };
  const tldErrors = (t: TldForm): { tld?: string; plan?: string; registrar?: string } => ({
    ...(t.tld.trim() === '' ? { tld: 'Enter the TLD' } : {}),
    ...(t.planId === undefined ? { plan: 'Pick a domain plan' } : {}),
    ...(t.registrarType.trim() === '' ? { registrar: 'Enter the registrar type' } : {}),
  });
  const incomplete =
    Object.values(fieldErrors).some(Boolean) ||
    (hasRegistration(cls) && tlds.some((t) => Object.keys(tldErrors(t)).length > 0));

  const save = async (): Promise<void> => {
    if (incomplete) return;
    setSaving(true);
    const e = await onSave(input());
    setSaving(false);
    setError(e);
  };

  const poaOptions = (lists?.poa.items ?? []).map((t) => ({
    value: String(t.id),
    label: `${t.name} (${t.id})${t.active ? '' : ' — inactive'}`,
    disabled: !t.active,
  }));
  const hostingPlans = plans('hosting').filter(
    (p) => poaTemplateId === undefined || p.serviceTemplateId === 0 || p.serviceTemplateId === poaTemplateId,
  );
  const planOptions = (list: readonly ServicePlanInfo[]): { value: string; label: string }[] =>
    list.map((p) => ({ value: String(p.id), label: `${p.name} (${p.id})` }));
  const poaOk = lists?.poa.ok ?? false;
  const pbaOk = lists?.pba.ok ?? false;
  // Until the target answers, the pickers wait (disabled) rather than offer the hand-entry box
  // they fall back to when it does not: a field must not turn into another under the cursor.
  const reading = target.loading && !lists;

  return (
    <Stack
      component="form"
      aria-label="Template mapping"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Group gap="xs">
        <Text size="sm" c="dimmed">
          {subject.templateId} on {subject.serverId}
        </Text>
        {subject.kindHint && (
          <Badge size="sm" variant="light">
            agent says: {HINT_LABELS[subject.kindHint] ?? subject.kindHint}
          </Badge>
        )}
      </Group>
      {target.loading && !lists && (
        <Group gap="xs">
          <Loader size="xs" />
          <Text size="sm">Reading the target&apos;s templates and plans…</Text>
        </Group>
      )}
      {target.error && <ApiErrorAlert error={target.error} title="The target's lists cannot be read" />}
      {lists && (!poaOk || !pbaOk) && (
        <Alert color="yellow" title="The target does not answer">
          {[lists.poa.error, lists.pba.error].filter(Boolean).join('; ')} — enter the ids by hand; the mapping
          is stored unverified and checked again later.
        </Alert>
      )}
      <Radio.Group label="Class" value={cls} onChange={(v) => setCls(v as TemplateClass)}>
        <Group mt={4}>
          {TEMPLATE_CLASSES.map((c) => (
            <Radio key={c} value={c} label={CLASS_LABELS[c]} />
          ))}
        </Group>
      </Radio.Group>

      {hasHosting(cls) && (
        <>
          <IdPicker
            reading={reading}
            label="POA service template"
            live={poaOk}
            options={poaOptions}
            value={poaTemplateId}
            onChange={pickPoa}
            error={fieldErrors.poa}
          />
          <IdPicker
            reading={reading}
            label="PBA hosting plan"
            description="A PBA plan that provisions the chosen POA template."
            live={pbaOk}
            options={planOptions(hostingPlans)}
            value={pbaPlanId}
            onChange={setPbaPlanId}
            error={fieldErrors.pba}
          />
        </>
      )}
      {cls === 'resource' && (
        <IdPicker
          reading={reading}
          label="PBA resource plan"
          live={pbaOk}
          options={planOptions(plans('resource'))}
          value={resourcePlanId}
          onChange={setResourcePlanId}
          error={fieldErrors.resource}
        />
      )}
      {hasRegistration(cls) && (
        <Stack gap="xs" data-testid="tld-mappings">
          <Text size="sm" fw={500}>
            Per TLD: a PBA domain plan and the registrar type
          </Text>
          {tlds.length === 0 && (
            <Text size="sm" c="red" data-testid="tld-missing">
              {fieldErrors.tlds}
            </Text>
          )}
          {tlds.map((t) => {
            const update = (patch: Partial<TldForm>): void =>
              setTlds((all) => all.map((x) => (x.key === t.key ? { ...x, ...patch } : x)));
            const domainPlans = plans('domain');
            const matching = domainPlans.filter((p) => p.tld === '' || p.tld === t.tld.trim().toLowerCase());
            const errors = tldErrors(t);
            return (
              <Group key={t.key} align="flex-end" wrap="nowrap">
                <TextInput
                  label="TLD"
                  w={110}
                  error={errors.tld}
                  value={t.tld}
                  onChange={(e) => update({ tld: e.currentTarget.value })}
                />
                <IdPicker
                  reading={reading}
                  label={`PBA domain plan for ${t.tld || 'this TLD'}`}
                  live={pbaOk}
                  options={planOptions(matching.length > 0 ? matching : domainPlans)}
                  value={t.planId}
                  onChange={(planId) => update({ planId })}
                  error={errors.plan}
                  grow
                  {...(matching.length === 0 && domainPlans.length > 0
                    ? { description: `No PBA plan registers ${t.tld}; its plans are listed.` }
                    : {})}
                />
                <TextInput
                  label={`Registrar type for ${t.tld || 'this TLD'}`}
                  placeholder="e.g. enom"
                  w={170}
                  error={errors.registrar}
                  value={t.registrarType}
                  onChange={(e) => update({ registrarType: e.currentTarget.value })}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  mb={6}
                  aria-label={`Remove ${t.tld || 'this TLD'}`}
                  onClick={() => setTlds((all) => all.filter((x) => x.key !== t.key))}
                >
                  ✕
                </ActionIcon>
              </Group>
            );
          })}
          <Group>
            <Button
              size="xs"
              variant="subtle"
              onClick={() => {
                setTlds((all) => [
                  ...all,
                  { key: nextKey, tld: '', planId: undefined, registrarType: all[0]?.registrarType ?? '' },
                ]);
                setNextKey((k) => k + 1);
              }}
            >
              Add a TLD
            </Button>
          </Group>
        </Stack>
      )}
      {error && <ApiErrorAlert error={error} title="The mapping was not saved" />}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={saving} disabled={incomplete}>
          {saveLabel}
        </Button>
      </Group>
    </Stack>
  );
}

/** A target id: picked from the live list, or typed when the target does not answer. */
function IdPicker(props: {
  label: string;
  description?: string;
  live: boolean;
  /** The target's lists are being read: a disabled picker that says so. */
  reading: boolean;
  options: { value: string; label: string; disabled?: boolean }[];
  value: number | undefined;
  onChange: (id: number | undefined) => void;
  grow?: boolean;
  error?: string | undefined;
}) {
  const style = props.grow ? { flex: 1 } : undefined;
  if (props.reading)
    return (
      <Select
        label={props.label}
        description={props.description}
        placeholder="Reading the target…"
        data={[]}
        disabled
        style={style}
      />
    );
  if (!props.live)
    return (
      <NumberInput
        label={props.label}
        description={props.description}
        min={1}
        allowDecimal={false}
        error={props.error}
        value={props.value ?? ''}
        onChange={(v) => props.onChange(typeof v === 'number' ? v : undefined)}
        style={style}
      />
    );
  return (
    <Select
      label={props.label}
      description={props.description}
      placeholder="Pick one"
      searchable
      clearable
      // Clicking the picked option again keeps it (Mantine would clear it); the ✕ clears.
      allowDeselect={false}
      error={props.error}
      data={props.options}
      value={props.value === undefined ? null : String(props.value)}
      onChange={(v) => props.onChange(v ? Number(v) : undefined)}
      nothingFoundMessage="Nothing on the target matches"
      style={style}
    />
  );
}
