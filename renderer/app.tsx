import {
  ActionIcon,
  Alert,
  AppShell,
  Badge,
  Burger,
  Center,
  Code,
  Group,
  Loader,
  MantineProvider,
  NavLink,
  Text,
  Title,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect } from 'react';
import { ErrorBoundary } from './components/error-boundary';
import { ReconnectBanner } from './components/reconnect-banner';
import { hadSecret } from './api';
import { useCall } from './hooks/use-call';
import { PROJECT_PAGES, type ProjectPage, type Route, routeHash, useRoute } from './hooks/use-route';
import { DashboardPage } from './pages/dashboard/dashboard-page';
import { PendingPage } from './pages/pending-page';
import { InventoryPage } from './pages/inventory/inventory-page';
import { MigrationPage } from './pages/migration/migration-page';
import { ChecksPage } from './pages/checks/checks-page';
import { ProjectsPage } from './pages/projects/projects-page';
import { CutoverPage } from './pages/cutover/cutover-page';
import { ReportsPage } from './pages/reports/reports-page';
import { SelectionPage } from './pages/selection/selection-page';
import { ServersPage } from './pages/servers/servers-page';
import { TargetPage } from './pages/target/target-page';
import { TemplatesPage } from './pages/mapping/templates-page';
import { VerificationPage } from './pages/verification/verification-page';
import { WorkersPage } from './pages/workers/workers-page';
import { ReviewBanner } from './pages/review/review-banner';
import { ProjectContext, useProjectState } from './project-context';

export function App() {
  return (
    <MantineProvider defaultColorScheme="auto">
      <ErrorBoundary>
        <Shell />
      </ErrorBoundary>
    </MantineProvider>
  );
}

/** The browser host's page opened without its per-run secret: say where the right address is. */
function NoSecret({ wrong = false }: { wrong?: boolean }) {
  return (
    <Center h="100vh" p="md">
      <Alert color="yellow" title="Open the address that npm start printed" maw={560} data-testid="no-secret">
        {wrong
          ? 'This page holds an old or wrong secret (the host was restarted, or the address was edited).'
          : 'This address lacks the secret that the Migration Manager host prints when it starts.'}{' '}
        Use the line that <Code>npm start</Code> printed, like <Code>http://127.0.0.1:41234/?secret=…</Code>:
        the secret keeps other programs on this machine out.
      </Alert>
    </Center>
  );
}

function ThemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const dark = colorScheme === 'dark';
  return (
    <ActionIcon
      variant="default"
      aria-label={dark ? 'Switch to the light theme' : 'Switch to the dark theme'}
      onClick={() => setColorScheme(dark ? 'light' : 'dark')}
    >
      {dark ? '☀' : '☾'}
    </ActionIcon>
  );
}

function Shell() {
  const info = useCall('app:get-info', {});
  const [route, navigate] = useRoute();
  const projectId = route.page === 'projects' ? '' : route.projectId;
  // Every page of a project knows whether it is a review copy (read-only) and its name.
  const open = useProjectState(projectId);
  const [mobileOpen, mobile] = useDisclosure(false);
  const [desktopOpen, desktop] = useDisclosure(true);

  useEffect(() => {
    if (info.data) document.getElementById('root')?.setAttribute('data-app-state', 'loaded');
  }, [info.data]);
  // The host refuses calls without its secret (the address typed by hand, a bookmark): say where
  // the right address is instead of showing buttons that fail. Nothing shows until it answered.
  if (info.error?.code === 'unauthorised') return <NoSecret wrong={hadSecret} />;
  if (!info.data && !info.error)
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );

  return (
    <ProjectContext.Provider value={open}>
      <AppShell
        header={{ height: 52 }}
        navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !mobileOpen, desktop: !desktopOpen } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between">
            <Group gap="xs">
              <Burger
                opened={mobileOpen}
                onClick={mobile.toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label={mobileOpen ? 'Hide the navigation' : 'Show the navigation'}
              />
              <Burger
                opened={desktopOpen}
                onClick={desktop.toggle}
                visibleFrom="sm"
                size="sm"
                aria-label={desktopOpen ? 'Hide the navigation' : 'Show the navigation'}
              />
              <Title order={4}>Migration Manager</Title>
              {info.data && (
                <Badge variant="light" title={`data: ${info.data.dataDir}`}>
                  {info.data.shell} · v{info.data.version}
                </Badge>
              )}
            </Group>
            <ThemeToggle />
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" aria-label="Main navigation">
          <NavLink
            label="Projects"
            href="#/projects"
            active={route.page === 'projects'}
            onClick={(e) => {
              e.preventDefault();
              navigate({ page: 'projects' });
            }}
          />
          {route.page !== 'projects' && (
            <>
              <Text size="xs" c="dimmed" mt="md" mb={4} px="sm" tt="uppercase" data-testid="nav-project">
                {open.project?.name ?? route.projectId}
                {open.readOnly ? ' (read-only)' : ''}
              </Text>
              {PROJECT_PAGES.map((p) => (
                <NavLink
                  key={p.key}
                  label={p.label}
                  href={`#/p/${encodeURIComponent(route.projectId)}/${p.key}`}
                  active={route.page === p.key}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate({ page: p.key, projectId: route.projectId });
                  }}
                />
              ))}
            </>
          )}
        </AppShell.Navbar>
        <AppShell.Main>
          <ReconnectBanner />
          {open.project?.review && <ReviewBanner review={open.project.review} />}
          <Page route={route} navigate={navigate} />
        </AppShell.Main>
      </AppShell>
    </ProjectContext.Provider>
  );
}

function Page({ route, navigate }: { route: Route; navigate: (r: Route) => void }) {
  switch (route.page) {
    case 'projects':
      return <ProjectsPage onOpen={(projectId) => navigate({ page: 'dashboard', projectId })} />;
    case 'dashboard':
      return <DashboardPage projectId={route.projectId} navigate={navigate} />;
    case 'servers':
      return <ServersPage projectId={route.projectId} />;
    case 'inventory':
      return <InventoryPage key={routeHash(route)} projectId={route.projectId} params={route.params ?? {}} />;
    case 'target':
      return <TargetPage projectId={route.projectId} />;
    case 'templates':
      return <TemplatesPage projectId={route.projectId} />;
    case 'selection':
      return <SelectionPage key={routeHash(route)} projectId={route.projectId} params={route.params ?? {}} />;
    case 'verification':
      return (
        <VerificationPage
          key={routeHash(route)}
          projectId={route.projectId}
          navigate={navigate}
          params={route.params ?? {}}
        />
      );
    case 'migration':
      return <MigrationPage key={routeHash(route)} projectId={route.projectId} params={route.params ?? {}} />;
    case 'workers':
      return <WorkersPage projectId={route.projectId} />;
    case 'checks':
      return <ChecksPage key={routeHash(route)} projectId={route.projectId} params={route.params ?? {}} />;
    case 'cutover':
      return <CutoverPage projectId={route.projectId} />;
    case 'reports':
      return <ReportsPage projectId={route.projectId} />;
    default:
      // A page listed in PROJECT_PAGES before it lands (none at the moment).
      return <PendingPage page={(route as { page: ProjectPage }).page} />;
  }
}
