/**
 * "Test connection" beside the store fields (issue 15): opens the database once with the address
 * and the password as typed (or the one this machine knows), changes nothing, and says plainly
 * whether it worked. The password is only sent to the core, which never keeps it from a test.
 */
import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { storeRequest } from './store-request';

type Outcome =
  { readonly ok: true; readonly address: string } | { readonly ok: false; readonly error: AppError };

export function StoreTestButton(props: { address: string; password: string }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  // what was tested: an edited field makes the answer stale, so it is shown for that input only
  const [tested, setTested] = useState('');
  const input = `${props.address}\u0000${props.password}`;

  const test = async (): Promise<void> => {
    setBusy(true);
    const r = await api.call('projects:test-store', storeRequest(props));
    setBusy(false);
    setTested(input);
    setOutcome(r.ok ? { ok: true, address: r.value.address } : { ok: false, error: r.error });
  };

  return (
    <Group gap="sm" align="center">
      <Button
        variant="default"
        size="xs"
        style={{ flexShrink: 0 }}
        loading={busy}
        disabled={props.address.trim() === ''}
        onClick={() => void test()}
      >
        Test connection
      </Button>
      {outcome && tested === input && (
        <Text size="sm" c={outcome.ok ? 'teal' : 'red'} data-testid="store-test-outcome">
          {outcome.ok ? `Connected to ${outcome.address}` : outcome.error.message}
        </Text>
      )}
    </Group>
  );
}
