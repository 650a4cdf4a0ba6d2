import { useCallback, useSyncExternalStore } from 'react';

/** Pages of one project, in the order of the seed's overall flow. */
export const PROJECT_PAGES = [
  { key: 'dashboard', label: 'Dashboard' },
  { key: 'servers', label: 'Source servers' },
  { key: 'inventory', label: 'Inventory' },
  { key: 'target', label: 'Target' },
  { key: 'templates', label: 'Templates' },
  { key: 'selection', label: 'Selection' },
  { key: 'verification', label: 'Verification' },
  { key: 'migration', label: 'Migration' },
  { key: 'workers', label: 'Workers' },
  { key: 'checks', label: 'Checks' },
  { key: 'cutover', label: 'Cut-over' },
  { key: 'reports', label: 'Reports' },
] as const;

export type ProjectPage = (typeof PROJECT_PAGES)[number]['key'];

/** Filters a page starts with (e.g. a dashboard number opening a filtered table). */
export type RouteParams = Readonly<Record<string, string>>;

export type Route =
  | { readonly page: 'projects' }
  | { readonly page: ProjectPage; readonly projectId: string; readonly params?: RouteParams };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').map(decodeURIComponent);
  if (parts[0] === 'p' && parts[1]) {
    const page = PROJECT_PAGES.find((p) => p.key === parts[2])?.key ?? 'dashboard';
    const params = Object.fromEntries(new URLSearchParams(query));
    return Object.keys(params).length > 0
      ? { page, projectId: parts[1], params }
      : { page, projectId: parts[1] };
  }
  return { page: 'projects' };
}

export function routeHash(route: Route): string {
  if (route.page === 'projects') return '#/projects';
  const query =
    route.params && Object.keys(route.params).length > 0
      ? `?${new URLSearchParams(route.params).toString()}`
      : '';
  return `#/p/${encodeURIComponent(route.projectId)}/${route.page}${query}`;
}

const subscribe = (onChange: () => void): (() => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

/** The current route lives in the URL hash, so reloads and back/forward keep the place. */
export function useRoute(): [Route, (route: Route) => void] {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  const navigate = useCallback((route: Route) => {
    window.location.hash = routeHash(route);
  }, []);
  return [parseRoute(hash), navigate];
}
