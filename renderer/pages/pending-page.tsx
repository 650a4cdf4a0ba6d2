import { Alert, Stack, Title } from '@mantine/core';
import { PROJECT_PAGES, type ProjectPage } from '../hooks/use-route';

/** Pages whose capability has not landed yet say so plainly instead of pretending. */
export function PendingPage({ page }: { page: ProjectPage }) {
  const label = PROJECT_PAGES.find((p) => p.key === page)?.label ?? page;
  return (
    <Stack>
      <Title order={2}>{label}</Title>
      <Alert color="gray" title="Not available in this build">
        This step of the migration flow is not part of this build of the Migration Manager yet.
      </Alert>
    </Stack>
  );
}
