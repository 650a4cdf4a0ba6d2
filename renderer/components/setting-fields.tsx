/**
 * The fields of a settings form (a server's migration settings, the checks' settings): each one
 * edits one key of a settings object, so a form is a list of these and one `fieldSetter`.
 */
import { NumberInput, SegmentedControl, Stack, Switch, Text } from '@mantine/core';

/** A setter of one key at a time: `set('sample', 10)` hands `{ ...value, sample: 10 }` on. */
export function fieldSetter<T extends object>(value: T, onChange: (next: T) => void) {
  return <K extends keyof T>(key: K, v: T[K]): void => onChange({ ...value, [key]: v });
}

/** What every setting says about itself: its label and, below it, what it changes. */
interface Labelled {
  label: string;
  description?: string;
}

/** A whole number; an emptied or unreadable field counts as `fallback`. */
export function NumberSetting({
  fallback,
  onChange,
  ...field
}: Labelled & { min: number; max: number; value: number; fallback: number; onChange: (v: number) => void }) {
  return (
    <NumberInput {...field} onChange={(v) => onChange(typeof v === 'number' ? v : Number(v) || fallback)} />
  );
}

export function SwitchSetting({
  onChange,
  ...field
}: Labelled & { checked: boolean; onChange: (checked: boolean) => void }) {
  return <Switch {...field} onChange={(e) => onChange(e.currentTarget.checked)} />;
}

/** One of a few named choices, its label above (also its accessible name). */
export function ChoiceSetting<V extends string>(props: {
  label: string;
  value: V;
  choices: readonly { value: V; label: string }[];
  onChange: (v: V) => void;
}) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={500}>
        {props.label}
      </Text>
      <SegmentedControl
        aria-label={props.label}
        value={props.value}
        // only the values offered can come back; anything else keeps the current one
        onChange={(v) => props.onChange(props.choices.find((c) => c.value === v)?.value ?? props.value)}
        data={[...props.choices]}
      />
    </Stack>
  );
}
