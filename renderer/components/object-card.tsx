/**
 * An inventory object as a reader sees it: its fields as labelled rows ("Ascii name", not
 * "asciiName"), lists of values on one line, lists of records as small tables, nested records
 * as sections — never raw JSON.
 */
import { Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** "hostingSubscriptionId" → "Hosting subscription id". */
export function fieldLabel(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

type Value = unknown;

const isRecord = (v: Value): v is Record<string, Value> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function scalar(v: Value): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

function RecordsTable({ rows }: { rows: readonly Record<string, Value>[] }) {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) =>
    rows.some((r) => !isRecord(r[k]) && !Array.isArray(r[k])),
  );
  return (
    <Table.ScrollContainer minWidth={300}>
      <Table withTableBorder fz="xs">
        <Table.Thead>
          <Table.Tr>
            {keys.map((k) => (
              <Table.Th key={k}>{fieldLabel(k)}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            <Table.Tr key={i}>
              {keys.map((k) => (
                <Table.Td key={k}>{scalar(r[k])}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function valueNode(v: Value): ReactNode {
  if (Array.isArray(v)) {
    if (v.length === 0) return '—';
    if (v.every(isRecord)) return <RecordsTable rows={v} />;
    return v.map(scalar).join(', ');
  }
  if (isRecord(v)) return <ObjectFields object={v} />;
  return scalar(v);
}

function ObjectFields({ object }: { object: Record<string, Value> }) {
  return (
    <Table fz="sm" verticalSpacing={4}>
      <Table.Tbody>
        {Object.entries(object).map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Th w={170} style={{ verticalAlign: 'top', fontWeight: 500 }}>
              {fieldLabel(k)}
            </Table.Th>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{valueNode(v)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function ObjectCard({ object, testId }: { object: unknown; testId?: string }) {
  return (
    <Stack gap={4} data-testid={testId}>
      {isRecord(object) ? <ObjectFields object={object} /> : <Text size="sm">{scalar(object)}</Text>}
    </Stack>
  );
}
