import { useCallback, useEffect, useState } from 'react';
import type { JobProgress } from '../../shared/contract';
import { api } from '../api';

/** Follows one job's progress events; `track` starts following a new job id. */
export function useJob(onFinished?: (p: JobProgress) => void): {
  progress: JobProgress | undefined;
  track: (jobId: string) => void;
} {
  const [jobId, setJobId] = useState<string>();
  const [progress, setProgress] = useState<JobProgress>();
  useEffect(() => {
    if (!jobId) return undefined;
    return api.on('jobs:progress', (p) => {
      if (p.jobId !== jobId) return;
      setProgress(p);
      if (p.state !== 'running') onFinished?.(p);
    });
  }, [jobId, onFinished]);
  const track = useCallback((id: string) => {
    setProgress(undefined);
    setJobId(id);
  }, []);
  return { progress, track };
}
