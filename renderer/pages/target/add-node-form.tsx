import {
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  Select,
  Stack,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { NODE_ROLES, type NodeRole, type NodeTestResult } from '../../../shared/model/nodes';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { fieldError, isAbout } from '../../components/field-error';

const ROLE_CHOICES: { value: NodeRole; label: string }[] = [
  { value: 'web', label: 'Web node (webspaces: <root>/<webspace>/webspace/httpdocs)' },
  { value: 'mail', label: 'Mail node (a Maildir per mailbox)' },
  { value: 'db', label: 'Database node (MariaDB / PostgreSQL)' },
];

const ROOT_HINT: Record<NodeRole, string> = {
  web: 'The vhosts root, e.g. /var/www/vhosts',
  mail: 'The Maildir root, e.g. /var/qmail/mailnames',
  db: 'A working folder for dumps, e.g. /var/tmp/mm',
};

/** Fields the form shows an error on; any other refusal is said in the alert. */
const FIELDS = ['host', 'port', 'user', 'root', 'credentials', 'hostKey'] as const;

/**
 * Registers a content node over SSH, like a source server: the credentials go to the core and are
 * sealed there, and the host key is pinned either from the fingerprint typed here or — when the
 * engineer ticks it — from what the node shows on the first connection (then shown to compare).
 * A failed connection test keeps the node registered and everything typed, to correct and retry.
 */
export function AddNodeForm(props: {
  projectId: string;
  taken: readonly NodeRole[];
  onAdded: (role: NodeRole, test: NodeTestResult | AppError) => void;
  onCancel: () => void;
}) {
  const [role, setRole] = useState<NodeRole>(NODE_ROLES.find((r) => !props.taken.includes(r)) ?? 'web');
  const [host, setHost] = useState('');
  const [port, setPort] = useState<number | string>(22);
  const [user, setUser] = useState('root');
  const [root, setRoot] = useState('');
  const [auth, setAuth] = useState<'password' | 'key'>('password');
  const [password, setPassword] = useState('');
  const [privateKey, setPrivateKey] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const [trustNew, setTrustNew] = useState(false);
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);

  const missingSecret = auth === 'password' ? password === '' : privateKey.trim() === '';
  const complete = host.trim() !== '' && user.trim() !== '' && root.trim() !== '' && !missingSecret;

  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    const added = await api.call('target:node-add', {
      projectId: props.projectId,
      role,
      host: host.trim(),
      port: typeof port === 'number' ? port : Number(port),
      user: user.trim(),
      root: root.trim(),
      ...(auth === 'password' ? { password } : { privateKey, ...(passphrase ? { passphrase } : {}) }),
      ...(fingerprint.trim() ? { hostKeyFingerprint: fingerprint.trim() } : {}),
    });
    if (!added.ok) {
      setBusy(false);
      setError(added.error);
      return;
    }
    const tested = await api.call('target:node-test', {
      projectId: props.projectId,
      role,
      trustNewHostKey: fingerprint.trim() === '' && trustNew,
    });
    setBusy(false);
    props.onAdded(role, tested.ok ? tested.value : tested.error);
  };

  const unplaced = error && !FIELDS.some((f) => isAbout(error, f)) ? error : undefined;
  return (
    <Stack data-testid="add-node-form" maw={640}>
      <Select
        label="Role"
        data={ROLE_CHOICES}
        value={role}
        allowDeselect={false}
        onChange={(v) => v && setRole(v as NodeRole)}
        description={props.taken.includes(role) ? 'Replaces the node registered for this role.' : undefined}
      />
      <Group grow align="flex-start">
        <TextInput
          label="Host"
          placeholder="node1.example.net or 10.0.0.5"
          value={host}
          onChange={(e) => setHost(e.currentTarget.value)}
          error={fieldError(error, 'host', 'host')}
          required
        />
        <NumberInput
          label="SSH port"
          value={port}
          onChange={setPort}
          min={1}
          max={65535}
          error={fieldError(error, 'port', 'port')}
        />
        <TextInput
          label="SSH user"
          value={user}
          onChange={(e) => setUser(e.currentTarget.value)}
          error={fieldError(error, 'user', 'SSH user')}
          required
        />
      </Group>
      <TextInput
        label="Root folder"
        placeholder={ROOT_HINT[role]}
        value={root}
        onChange={(e) => setRoot(e.currentTarget.value)}
        error={fieldError(error, 'root', 'root folder')}
        required
      />
      <SegmentedControl
        aria-label="Authentication"
        value={auth}
        onChange={(v) => setAuth(v as 'password' | 'key')}
        data={[
          { value: 'password', label: 'Password' },
          { value: 'key', label: 'Private key' },
        ]}
      />
      {auth === 'password' ? (
        <PasswordInput
          label="Password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={fieldError(error, 'credentials', 'password')}
          required
        />
      ) : (
        <>
          <Textarea
            label="Private key"
            description="Pasted in OpenSSH or PEM format; it is sealed, never stored in plain text."
            autosize
            minRows={3}
            value={privateKey}
            onChange={(e) => setPrivateKey(e.currentTarget.value)}
            error={fieldError(error, 'credentials', 'private key')}
            required
          />
          <PasswordInput
            label="Key passphrase"
            value={passphrase}
            onChange={(e) => setPassphrase(e.currentTarget.value)}
          />
        </>
      )}
      <TextInput
        label="Host key fingerprint"
        description="SHA256:… as `ssh-keygen -lf` prints it on the node. Leave empty to pin on first connection."
        value={fingerprint}
        onChange={(e) => setFingerprint(e.currentTarget.value)}
        error={fieldError(error, 'hostKey', 'host key fingerprint')}
      />
      {fingerprint.trim() === '' && (
        <Checkbox
          label="Pin the host key the node shows on the first connection (compare it with the node's own)"
          checked={trustNew}
          onChange={(e) => setTrustNew(e.currentTarget.checked)}
        />
      )}
      {unplaced && (
        <Alert color="red" title="The node was not registered">
          {unplaced.message}
        </Alert>
      )}
      <Group>
        <Button onClick={() => void submit()} loading={busy} disabled={!complete}>
          Register and test
        </Button>
        <Button variant="default" onClick={props.onCancel}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}
