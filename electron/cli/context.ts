import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ProjectSummary } from '../../shared/model/project';
import { type Core, createCore } from '../core/core';
import { defaultDataDir } from '../core/data-dir';
import { MmError, toAppError } from '../core/errors';
import { ProjectLeases } from '../core/project/project-lease';
import { readDefaultProject } from './default-project';
import { startThrowawayTarget } from '../sandbox/throwaway-process';

export interface GlobalOptions {
  readonly dataDir?: string;
  readonly project?: string;
  readonly json: boolean;
}

export interface CliContext {
  readonly core: Core;
  readonly options: GlobalOptions;
  /**
   * The project named by --project, or the only one there is; this process holds its lease (issue
   * 15) until the command ends, so a `mm project move` elsewhere is refused meanwhile. `lease:
   * false` for the move itself, which must not be held up by its own process.
   */
  projectId(opts?: { readonly lease?: boolean }): Promise<string>;
  /**
   * A project a command names itself (an argument: `mm project use <name>`, `grant <project>`),
   * by id or name, with its lease held like projectId's: the one way a command opens a project
   * other than --project, so none runs on a project a move elsewhere can take from under it.
   */
  project(ref: string): Promise<ProjectSummary>;
}

/** Exit codes: 0 ok, 1 failure, 2 usage error. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
const USAGE_CODES = new Set(['invalid-input', 'project-required', 'usage']);

/**
 * What an action returns when it wrote its output to stdout itself, in pieces (an output too
 * large to be one string: a rehearsal's ~2 million objects at 10×).
 */
export const WRITTEN = { written: true } as const;

/**
 * Wraps a command's action: builds the core from the global options, prints what the action
 * returns (JSON on stdout with --json, text otherwise; nothing when it wrote its own), and maps
 * errors to exit codes with the message on stderr.
 */
export function action<A extends unknown[]>(
  run: (ctx: CliContext, ...args: A) => Promise<{ json: unknown; text: string } | typeof WRITTEN>,
): (...args: [...A, Command]) => Promise<void> {
  return async (...all) => {
    const command = all[all.length - 1] as Command;
    const args = all.slice(0, -1) as unknown as A;
    const options = command.optsWithGlobals<GlobalOptions>();
    const dataDir = resolve(options.dataDir ?? defaultDataDir());
    const core = createCore({ dataDir, shell: 'cli', throwawayTarget: startThrowawayTarget });
    // made on the first opening only: a command that opens no project pays nothing
    let leases: ProjectLeases | undefined;
    const held = new Set<string>();
    const resolveId = async (): Promise<string> => {
      if (options.project !== undefined) return (await core.projects.resolve(options.project)).id;
      // The default `mm project use` / `mm project open` chose, while that project exists.
      const chosen = await readDefaultProject(dataDir);
      if (chosen !== undefined && (await core.projects.list()).some((p) => p.id === chosen && !p.problem))
        return chosen;
      return (await core.projects.resolve(undefined)).id;
    };
    const hold = async (id: string): Promise<void> => {
      leases ??= new ProjectLeases((p) => core.projects.projectDir(p));
      await leases.hold(id);
      held.add(id);
    };
    const ctx: CliContext = {
      core,
      options,
      projectId: async (opts) => {
        const id = await resolveId();
        if (opts?.lease !== false) await hold(id);
        return id;
      },
      project: async (ref) => {
        const p = await core.projects.resolve(ref);
        await hold(p.id);
        return p;
      },
    };
    try {
      const out = await run(ctx, ...args);
      if ('written' in out) return;
      process.stdout.write(
        options.json
          ? `${JSON.stringify(out.json, null, 2)}\n`
          : out.text.endsWith('\n')
            ? out.text
            : `${out.text}\n`,
      );
    } catch (e) {
      const error = toAppError(e);
      const where = error.where ? ` (${error.where})` : '';
      process.stderr.write(`mm: ${error.message}${where}\n`);
      process.exitCode = e instanceof MmError && USAGE_CODES.has(e.code) ? EXIT_USAGE : EXIT_FAILURE;
    } finally {
      // the command is done with its projects (a kill leaves a stale file or ends the session)
      await Promise.all([...held].map((id) => leases?.drop(id)));
    }
  };
}

/**
 * The width of each of the first `count` columns: its widest cell, the header's included. A loop,
 * not `Math.max(...cells)`: spreading ~150,000 cells or more as arguments overflows the stack.
 */
export function columnWidths(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  count: number = headers.length,
): number[] {
  const widths: number[] = [];
  for (let i = 0; i < count; i++) widths.push((headers[i] ?? '').length);
  for (const r of rows)
    for (let i = 0; i < count; i++) {
      const n = (r[i] ?? '').length;
      if (n > (widths[i] ?? 0)) widths[i] = n;
    }
  return widths;
}

/** A plain text table: columns padded to their widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columnWidths(headers, rows);
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
