/**
 * Live changes of a shared project (issue 15): the one place that turns what the shared
 * database announces on `mm_changes` into the `project:shared-change` events the shells carry
 * (IPC, the browser host's event stream), so every page refetches what it shows when another
 * app, a script or a worker changed it.
 *
 * - typed: each write is named by the part of the project it touched (`project-parts.ts`);
 * - coalesced: writes are merged per part over a 250 ms window (at most 4 events a second per
 *   part), so a batch appending thousands of journal rows sends a few events, not one per row;
 * - no echo: writes this process made itself (the store stamps each with WRITER) are dropped —
 *   the page that made them already refetches, and this core emits its own progress events.
 *
 * - caught up: when the listening connection dropped and came back, what was sent meanwhile was
 *   lost, so each part gets one event with no writer and no writes ("may have changed"): every
 *   page refetches once.
 *
 * A project kept in files has no one else writing to it: watching it is a no-op.
 */
import { PROJECT_PARTS, type ProjectPart } from '../../../shared/model/project-changes';
import type { EventBus } from '../events';
import { ChangeCoalescer } from './change-coalescer';
import { partOfNote } from './project-parts';
import { type ChangeNote, WRITER, linkedPgStore } from './postgres-store';

/** One event per part at most this often (≤ 4 a second). */
export const CHANGE_WINDOW_MS = 250;

/** What the watcher needs of a core (not the whole core: no import cycle, easy to reason about). */
export interface ChangeWatchHost {
  readonly events: EventBus;
  readonly projects: { projectDir(projectId: string): string };
}

const watching = new WeakMap<ChangeWatchHost, Map<string, Promise<boolean>>>();

/** Who wrote a note: the store's stamp; a worker's announcement names its worker. */
function writerOf(note: ChangeNote): string | undefined {
  if (note.t !== 'unit') return note.by;
  const worker = (note as { worker?: unknown }).worker;
  return typeof worker === 'string' ? worker : undefined;
}

/**
 * From now on the core emits `project:shared-change` for writes others make to this project.
 * Once per core and project (later calls answer the first one's promise). Resolves true when the
 * project is shared (there is something to hear), false for a file project.
 */
export function watchProjectChanges(core: ChangeWatchHost, projectId: string): Promise<boolean> {
  let mine = watching.get(core);
  if (!mine) {
    mine = new Map();
    watching.set(core, mine);
  }
  const known = mine.get(projectId);
  if (known) return known;
  const started = startWatching(core, projectId);
  mine.set(projectId, started);
  // a failure (database unreachable) is reported to this caller; the next one tries again
  started.catch(() => mine.delete(projectId));
  return started;
}

async function startWatching(core: ChangeWatchHost, projectId: string): Promise<boolean> {
  const linked = await linkedPgStore(core.projects.projectDir(projectId));
  if (!linked) return false;
  await linked.store.listen();
  const coalescer = new ChangeCoalescer<ProjectPart>(CHANGE_WINDOW_MS, (merged) =>
    core.events.emit('project:shared-change', {
      projectId,
      part: merged.key,
      by: merged.by,
      writes: merged.writes,
      rows: merged.rows,
      at: new Date().toISOString(),
    }),
  );
  linked.store.changes.on('change', (note: ChangeNote) => {
    // the database's project id can differ from the folder's (the suite on PostgreSQL)
    if (note.p !== linked.projectId) return;
    const by = writerOf(note);
    if (by === WRITER) return;
    const rows = note.t === 'journal' && typeof note.n === 'number' ? note.n : 0;
    coalescer.add(partOfNote(note), { ...(by !== undefined ? { by } : {}), rows });
  });
  linked.store.changes.on('resumed', () => {
    const at = new Date().toISOString();
    for (const part of PROJECT_PARTS)
      core.events.emit('project:shared-change', {
        projectId,
        part,
        by: [],
        writes: 0,
        rows: 0,
        at,
        catchUp: true,
      });
  });
  return true;
}
