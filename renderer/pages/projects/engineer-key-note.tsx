/**
 * This data dir's engineer public key (issue 15), shown where an engineer opens a shared
 * project: whoever holds the project's key grants it with `mm project grant`, after which the
 * project's credentials open here without being typed again.
 */
import { Button, Code, CopyButton, Stack, Text } from '@mantine/core';
import { useCall } from '../../hooks/use-call';

export function EngineerKeyNote() {
  const key = useCall('projects:engineer-key', {});
  if (!key.data) return null;
  return (
    <Stack gap={4} data-testid="engineer-key">
      <Text size="sm">
        To read the project&apos;s server and target credentials here, an engineer who has them runs{' '}
        <Code>mm project grant &lt;project&gt; --engineer &lt;this key&gt;</Code>. This data dir&apos;s key
        (fingerprint {key.data.fingerprint}):
      </Text>
      <Code block style={{ wordBreak: 'break-all' }}>
        {key.data.publicKey}
      </Code>
      <CopyButton value={key.data.publicKey}>
        {({ copied, copy }) => (
          <Button size="compact-xs" variant="subtle" onClick={copy} style={{ alignSelf: 'flex-start' }}>
            {copied ? 'Copied' : 'Copy key'}
          </Button>
        )}
      </CopyButton>
    </Stack>
  );
}
