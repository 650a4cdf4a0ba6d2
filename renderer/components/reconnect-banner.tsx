/**
 * Says, above every page, that the host's event stream is down and being retried: without it a
 * page whose host restarted looks alive but no longer updates.
 */
import { Alert } from '@mantine/core';
import { useSyncExternalStore } from 'react';
import { eventConnection, onEventConnection } from '../event-connection';

export function ReconnectBanner() {
  const connection = useSyncExternalStore(onEventConnection, eventConnection);
  if (connection.state === 'connected') return null;
  const seconds = Math.round(connection.delayMs / 1000);
  return (
    <Alert
      color="yellow"
      title="Reconnecting to the host…"
      mb="md"
      role="status"
      data-testid="host-reconnecting"
    >
      The Migration Manager host does not answer (it may be restarting). Trying again in {seconds} s (try{' '}
      {connection.attempt + 1}); live updates resume once it answers. If it was restarted with a new address,
      open the address it printed.
    </Alert>
  );
}
