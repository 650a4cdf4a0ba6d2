import {
  Button,
  Code,
  Group,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useState } from 'react';
import { SOURCE_KINDS, type SourceKind } from '../../../../shared/model/server';
import type { AppError } from '../../../../shared/result';
import { fieldError } from '../../../components/field-error';

export interface ConnectionForm {
  /** SSH, or SOAP over HTTP(S) to `perl agent.pl --serve` (servers without SSH). */
  transport: 'ssh' | 'soap';
  name: string;
  kind: SourceKind;
  apiVersion: 1 | 2;
  host: string;
  port: number;
  user: string;
  auth: 'password' | 'key';
  password: string;
  privateKey: string;
  passphrase: string;
  agentPath: string;
  sourceRoot: string;
  hostKeyFingerprint: string;
  url: string;
  token: string;
  tlsFingerprint: string;
}

export const EMPTY_CONNECTION: ConnectionForm = {
  transport: 'ssh',
  name: '',
  kind: 'linux',
  apiVersion: 2,
  host: '',
  port: 22,
  user: 'root',
  auth: 'password',
  password: '',
  privateKey: '',
  passphrase: '',
  agentPath: '/usr/local/mm-agent',
  sourceRoot: '',
  hostKeyFingerprint: '',
  url: '',
  token: '',
  tlsFingerprint: '',
};

/** A fresh token for `agent.pl --serve --token-file=…`: 32 random bytes, base64url. */
function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const KIND_LABELS: Record<SourceKind, string> = {
  linux: 'Plain Linux hosting server',
  ensim: 'Ensim Pro for Linux',
  hsphere: 'H-Sphere',
  sphera: 'Sphera (through a hosting description)',
  description: 'Any panel (hosting description)',
};

export function ConnectionStep({
  form,
  onChange,
  error,
}: {
  form: ConnectionForm;
  onChange: (f: ConnectionForm) => void;
  /** The core's refusal of the last registration: shown on the field it names. */
  error?: AppError | undefined;
}) {
  const set = <K extends keyof ConnectionForm>(k: K, v: ConnectionForm[K]): void =>
    onChange({ ...form, [k]: v });
  return (
    <Stack gap="sm">
      <SimpleGrid cols={2}>
        <TextInput
          label="Name"
          required
          value={form.name}
          error={fieldError(error, 'name', 'Name')}
          onChange={(e) => set('name', e.currentTarget.value)}
          data-autofocus
        />
        <Select
          label="Source system"
          data={SOURCE_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
          value={form.kind}
          allowDeselect={false}
          onChange={(v) => v && set('kind', v as SourceKind)}
        />
      </SimpleGrid>
      <Choice
        label="Transport"
        value={form.transport}
        onChange={(v) => set('transport', v === 'soap' ? 'soap' : 'ssh')}
        data={[
          { value: 'ssh', label: 'SSH' },
          { value: 'soap', label: 'SOAP over HTTP(S)' },
        ]}
      />
      {form.transport === 'soap' ? (
        <SoapFields form={form} set={set} error={error} />
      ) : (
        <SshFields form={form} set={set} error={error} />
      )}
    </Stack>
  );
}

type Setter = <K extends keyof ConnectionForm>(k: K, v: ConnectionForm[K]) => void;

/** An agent started with `perl agent.pl --serve`: its URL, its token, its certificate. */
function SoapFields({
  form,
  set,
  error,
}: {
  form: ConnectionForm;
  set: Setter;
  error?: AppError | undefined;
}) {
  // Only a token generated here is shown (to be copied to the server); a typed one stays masked.
  const [generated, setGenerated] = useState(false);
  return (
    <>
      <TextInput
        label="Agent URL"
        required
        placeholder="https://203.0.113.5:8470/mm-agent"
        description="What the agent printed when it started: perl agent.pl --serve --listen=… (see agents/README.md)."
        value={form.url}
        error={fieldError(error, 'url', 'Agent URL')}
        onChange={(e) => set('url', e.currentTarget.value.trim())}
      />
      <Group align="flex-end">
        <PasswordInput
          style={{ flex: 1 }}
          label="Token"
          required
          description="The token in the agent's --token-file (at least 20 characters)."
          value={form.token}
          error={fieldError(error, 'token', 'Token')}
          onChange={(e) => {
            setGenerated(false);
            set('token', e.currentTarget.value.trim());
          }}
        />
        <Button
          variant="default"
          onClick={() => {
            setGenerated(true);
            set('token', newToken());
          }}
        >
          Generate
        </Button>
      </Group>
      {generated && form.token && (
        <Text size="xs" c="dimmed">
          Put this token in the agent's token file before you test: <Code>{form.token}</Code>
        </Text>
      )}
      <SimpleGrid cols={2}>
        <TextInput
          label="Certificate fingerprint (optional)"
          description="HTTPS: the SHA-256 the agent printed. Leave empty to see it on the next step and accept it."
          value={form.tlsFingerprint}
          error={fieldError(error, 'tlsFingerprint', 'Certificate fingerprint')}
          onChange={(e) => set('tlsFingerprint', e.currentTarget.value.trim())}
        />
        <Select
          label="Migration API version"
          data={[
            { value: '2', label: 'v2 (subscription-centred)' },
            { value: '1', label: 'v1 (domain-centred)' },
          ]}
          value={String(form.apiVersion)}
          allowDeselect={false}
          onChange={(v) => set('apiVersion', v === '1' ? 1 : 2)}
        />
      </SimpleGrid>
    </>
  );
}

function SshFields({
  form,
  set,
  error,
}: {
  form: ConnectionForm;
  set: Setter;
  error?: AppError | undefined;
}) {
  return (
    <>
      <SimpleGrid cols={3}>
        <TextInput
          label="Host"
          required
          value={form.host}
          error={fieldError(error, 'host', 'Host')}
          onChange={(e) => set('host', e.currentTarget.value)}
        />
        <NumberInput
          label="SSH port"
          min={1}
          max={65535}
          value={form.port}
          error={fieldError(error, 'port', 'SSH port')}
          onChange={(v) => set('port', Number(v) || 22)}
        />
        <TextInput
          label="User"
          required
          value={form.user}
          error={fieldError(error, 'user', 'User')}
          onChange={(e) => set('user', e.currentTarget.value)}
        />
      </SimpleGrid>
      <Choice
        label="Authentication"
        value={form.auth}
        onChange={(v) => set('auth', v === 'key' ? 'key' : 'password')}
        data={[
          { value: 'password', label: 'Password' },
          { value: 'key', label: 'Private key' },
        ]}
      />
      {form.auth === 'password' ? (
        <PasswordInput
          label="Password"
          value={form.password}
          error={fieldError(error, 'password', 'Password')}
          onChange={(e) => set('password', e.currentTarget.value)}
        />
      ) : (
        <>
          <Textarea
            label="Private key (OpenSSH or PEM)"
            autosize
            minRows={3}
            maxRows={6}
            styles={{ input: { fontFamily: 'monospace' } }}
            value={form.privateKey}
            error={fieldError(error, 'privateKey', 'Private key')}
            onChange={(e) => set('privateKey', e.currentTarget.value)}
          />
          <PasswordInput
            label="Passphrase (if any)"
            value={form.passphrase}
            error={fieldError(error, 'passphrase', 'Passphrase')}
            onChange={(e) => set('passphrase', e.currentTarget.value)}
          />
        </>
      )}
      <SimpleGrid cols={2}>
        <TextInput
          label="Agent path on the server"
          value={form.agentPath}
          error={fieldError(error, 'agentPath', 'Agent path')}
          onChange={(e) => set('agentPath', e.currentTarget.value)}
        />
        <Select
          label="Migration API version"
          data={[
            { value: '2', label: 'v2 (subscription-centred)' },
            { value: '1', label: 'v1 (domain-centred)' },
          ]}
          value={String(form.apiVersion)}
          allowDeselect={false}
          onChange={(v) => set('apiVersion', v === '1' ? 1 : 2)}
        />
      </SimpleGrid>
      <TextInput
        label="Source files root (optional)"
        description="Where the source system's files are on that server when not at / (a restored backup, a chroot)."
        value={form.sourceRoot}
        error={fieldError(error, 'sourceRoot', 'Source files root')}
        onChange={(e) => set('sourceRoot', e.currentTarget.value.trim())}
      />
      <TextInput
        label="Host key fingerprint (optional)"
        description="SHA256:… from ssh-keygen -lf on the server. Leave empty to see the key on the next step and accept it."
        value={form.hostKeyFingerprint}
        error={fieldError(error, 'hostKeyFingerprint', 'Host key fingerprint')}
        onChange={(e) => set('hostKeyFingerprint', e.currentTarget.value.trim())}
      />
    </>
  );
}

/** A labelled choice of a few options, side by side (transport, authentication). */
function Choice(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  data: { value: string; label: string }[];
}) {
  return (
    <Group>
      <Text size="sm" fw={500}>
        {props.label}
      </Text>
      <SegmentedControl value={props.value} onChange={props.onChange} data={props.data} />
    </Group>
  );
}
