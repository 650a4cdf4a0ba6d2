/**
 * The desktop app's main process runs the migration engine, so it needs the engine's V8 flags
 * (v8-flags.mjs). Electron gives V8 flags to its main process only from the command line it
 * starts with (`--js-flags`; app.commandLine.appendSwitch comes too late for the main process),
 * and the packaged app is started from its icon, without launch.mjs. So the app starts itself
 * again, once, with the flags added. A pure decision; main.ts does the relaunch.
 */
import { ENGINE_V8_FLAGS } from './v8-flags.mjs';

/** Set in the environment of the restarted app, so it never restarts itself a second time. */
export const RELAUNCHED_FOR_FLAGS = 'MM_RELAUNCHED_FOR_V8_FLAGS';

/**
 * The arguments (after the executable) to start the app again with, or undefined when it runs
 * with the flags already, or was restarted for them once (a second restart would loop: an
 * Electron that drops the switch must not restart forever).
 * `jsFlags`: the value of the `--js-flags` switch the app was started with ('' without one).
 */
export function relaunchArgsForEngineFlags(
  argv: readonly string[],
  jsFlags: string,
  env: Readonly<Record<string, string | undefined>>,
): string[] | undefined {
  if (env[RELAUNCHED_FOR_FLAGS] === '1') return undefined;
  const given = jsFlags.split(/\s+/).filter((f) => f !== '');
  const missing = ENGINE_V8_FLAGS.filter((f) => !given.includes(f));
  if (missing.length === 0) return undefined;
  // The engineer's own V8 flags stay, ours are added; one --js-flags switch carries them all.
  const rest = argv.slice(1).filter((a) => !a.startsWith('--js-flags='));
  return [`--js-flags=${[...given, ...missing].join(' ')}`, ...rest];
}
