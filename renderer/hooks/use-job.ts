import { useCallback, useEffect, useState } from 'react';
import type { JobProgress } from '../../shared/contract';
import { api } from '../api';

/**
 * The last progress of every job seen, kept from the first use on: a job can finish (or fail)
 * before the call that started it has returned its id, and that event must not be lost.
 */
const lastProgress = new Map<string, JobProgress>();
const watchers = new Set<(p: JobProgress) => void>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  api.on('jobs:progress', (p) => {
    lastProgress.set(p.jobId, p);
    for (const w of watchers) w(p);
  });
}
listen();

/** Follows one job's progress events; `track` starts following a new job id. */
export function useJob(onFinished?: (p: JobProgress) => void): {
  progress: JobProgress | undefined;
  track: (jobId: string) => void;
} {
  const [jobId, setJobId] = useState<string>();
  const [progress, setProgress] = useState<JobProgress>();
  useEffect(() => {
    if (!jobId) return undefined;
    const seen = (p: JobProgress): void => {
      if (p.jobId !== jobId) return;
      setProgress(p);
      if (p.state !== 'running') onFinished?.(p);
    };
    const earlier = lastProgress.get(jobId);
    if (earlier) queueMicrotask(() => seen(earlier));
    watchers.add(seen);
    return () => {
      watchers.delete(seen);
    };
  }, [jobId, onFinished]);
  const track = useCallback((id: string) => {
    setProgress(undefined);
    setJobId(id);
  }, []);
  return { progress, track };
}
