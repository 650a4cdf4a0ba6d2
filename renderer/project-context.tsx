/**
 * The open project as every page sees it. A review copy is read-only: pages hide what would
 * change it (or reach a source server or the target) instead of offering buttons that fail
 * after a click; comments stay.
 */
import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import type { ProjectSummary } from '../shared/model/project';
import { api } from './api';

export interface OpenProject {
  readonly project: ProjectSummary | undefined;
  readonly readOnly: boolean;
}

export const ProjectContext = createContext<OpenProject>({ project: undefined, readOnly: false });

/** True in a review copy: show what is there, offer nothing that writes. */
export function useReadOnly(): boolean {
  return useContext(ProjectContext).readOnly;
}

export function useOpenProject(): ProjectSummary | undefined {
  return useContext(ProjectContext).project;
}

/** Reads the open project (none on the projects page), again whenever it changes. */
export function useProjectState(projectId: string): OpenProject {
  const [project, setProject] = useState<ProjectSummary>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!projectId) return;
    let live = true;
    void api.call('projects:get', { projectId }).then((r) => {
      if (live) setProject(r.ok ? r.value : undefined);
    });
    return () => {
      live = false;
    };
  }, [projectId, tick]);
  useEffect(
    () =>
      api.on('projects:changed', (e) => {
        if (e.projectId === projectId) setTick((t) => t + 1);
      }),
    [projectId],
  );
  return useMemo(() => {
    const current = projectId && project?.id === projectId ? project : undefined;
    return { project: current, readOnly: Boolean(current?.review) };
  }, [projectId, project]);
}
