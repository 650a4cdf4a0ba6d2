/**
 * Where a project lives (issue 15): the fields of the store choice — files on this machine, or
 * a PostgreSQL database shared by a team (its address without a password, and the password,
 * which the core seals in this machine's secret store) — and the badge the project list shows.
 */
import { Badge, PasswordInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { StoreTestButton } from './store-test-button';
import type { ProjectStore } from '../../../shared/model/workers';
import type { AppError } from '../../../shared/result';
import { fieldError } from '../../components/field-error';

export type StoreKind = 'files' | 'postgres';

export interface StoreFieldsValue {
  readonly kind: StoreKind;
  readonly address: string;
  readonly password: string;
}

export const NO_STORE_FIELDS: StoreFieldsValue = { kind: 'files', address: '', password: '' };

export function StoreFields(props: {
  value: StoreFieldsValue;
  onChange: (next: StoreFieldsValue) => void;
  error: AppError | undefined;
  /** Attaching: always PostgreSQL, no choice shown. */
  sharedOnly?: boolean;
  /** A "Test connection" button that opens the database once, changing nothing. */
  testable?: boolean;
}) {
  const { value, onChange, error } = props;
  return (
    <Stack gap="xs">
      {!props.sharedOnly && (
        <div>
          <Text size="sm" fw={500} mb={4}>
            Kept in
          </Text>
          <SegmentedControl
            fullWidth
            aria-label="Where the project is kept"
            value={value.kind}
            onChange={(k) => onChange({ ...value, kind: k as StoreKind })}
            data={[
              { value: 'files', label: 'Files on this machine' },
              { value: 'postgres', label: 'PostgreSQL (shared)' },
            ]}
          />
        </div>
      )}
      {(props.sharedOnly || value.kind === 'postgres') && (
        <>
          <TextInput
            label="Database address"
            description="Without the password: postgres://user@host:5432/database"
            placeholder="postgres://mm@db.example.net:5432/migration"
            value={value.address}
            onChange={(e) => onChange({ ...value, address: e.currentTarget.value })}
            required
            error={fieldError(error, 'address', 'Database address')}
          />
          <PasswordInput
            label="Database password"
            description="Kept sealed on this machine, never in the address. Empty: PGPASSWORD or ~/.pgpass."
            value={value.password}
            onChange={(e) => onChange({ ...value, password: e.currentTarget.value })}
            error={fieldError(error, 'password', 'Database password')}
          />
          {props.testable && <StoreTestButton address={value.address} password={value.password} />}
        </>
      )}
    </Stack>
  );
}

/** Where a project lives, in the project list. */
export function StoreBadge({ store, projectId }: { store: ProjectStore | undefined; projectId: string }) {
  if (!store) return null;
  return store.kind === 'files' ? (
    <Badge size="sm" variant="outline" color="gray" data-testid={`store-${projectId}`}>
      files on this machine
    </Badge>
  ) : (
    <Badge
      size="sm"
      variant="light"
      color="indigo"
      title={`${store.address} (project ${store.sharedId})`}
      data-testid={`store-${projectId}`}
    >
      PostgreSQL · {new URL(store.address).host}
    </Badge>
  );
}
