/** Cut-over (SPEC R13, R14): IP mapping, the DNS switch sheet and content re-sync, one tab each. */
import { Stack, Tabs, Title } from '@mantine/core';
import { DnsSheetPanel } from './dns-sheet-panel';
import { IpMapPanel } from './ip-map-panel';
import { ResyncPanel } from './resync-panel';

export function CutoverPage({ projectId }: { projectId: string }) {
  return (
    <Stack>
      <Title order={2}>Cut-over</Title>
      <Tabs defaultValue="ip-map" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="ip-map">IP mapping</Tabs.Tab>
          <Tabs.Tab value="dns">DNS switch sheet</Tabs.Tab>
          <Tabs.Tab value="resync">Re-sync</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="ip-map" pt="md">
          <IpMapPanel projectId={projectId} />
        </Tabs.Panel>
        <Tabs.Panel value="dns" pt="md">
          <DnsSheetPanel projectId={projectId} />
        </Tabs.Panel>
        <Tabs.Panel value="resync" pt="md">
          <ResyncPanel projectId={projectId} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
