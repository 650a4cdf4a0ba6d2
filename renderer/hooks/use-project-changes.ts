/**
 * A page's live view of a shared project (issue 15): asks the core to listen to the project
 * (`projects:watch`), then calls `onChange` whenever another app, script or worker changed one of
 * the parts the page shows (`project:shared-change`, already merged per part by the core). The
 * page refetches in `onChange`; the last change is returned so the page can say who made it.
 *
 * After the browser host's event stream comes back (a restarted host listens afresh), the watch
 * is asked again and the page refetches once: what changed meanwhile was not heard.
 */
import { useEffect, useRef, useState } from 'react';
import type { ProjectPart, SharedChange } from '../../shared/model/project-changes';
import { api } from '../api';
import { onEventConnection } from '../event-connection';

export interface ProjectChangeOptions {
  /**
   * Refetch at most this often (ms); a change heard sooner is answered when the interval ends,
   * so the last one is never dropped. For pages whose refetch is expensive (a batch's objects).
   */
  readonly everyMs?: number;
}

export function useProjectChanges(
  projectId: string,
  parts: readonly ProjectPart[],
  onChange: () => void,
  options: ProjectChangeOptions = {},
): SharedChange | undefined {
  const [last, setLast] = useState<SharedChange>();
  // the newest callback without subscribing again on every render
  const callback = useRef(onChange);
  useEffect(() => {
    callback.current = onChange;
  }, [onChange]);
  const partsKey = [...parts].sort().join(',');
  const everyMs = options.everyMs ?? 0;

  useEffect(() => {
    let live = true;
    const watch = (): void => {
      // a file project answers shared: false and simply never hears anything
      void api.call('projects:watch', { projectId });
    };
    watch();

    const wanted = new Set(partsKey.split(','));
    let lastRun = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = (): void => {
      timer = undefined;
      lastRun = Date.now();
      if (live) callback.current();
    };
    const schedule = (): void => {
      if (timer) return;
      const wait = lastRun + everyMs - Date.now();
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    };

    const stopEvents = api.on('project:shared-change', (change) => {
      if (change.projectId !== projectId || !wanted.has(change.part)) return;
      setLast(change);
      schedule();
    });
    let wasDown = false;
    const stopConnection = onEventConnection((c) => {
      if (c.state !== 'connected') {
        wasDown = true;
        return;
      }
      if (!wasDown) return;
      wasDown = false;
      watch();
      schedule();
    });
    return () => {
      live = false;
      clearTimeout(timer);
      stopEvents();
      stopConnection();
    };
  }, [projectId, partsKey, everyMs]);

  return last;
}
