import { describe, expect, it } from 'vitest';
import { RELAUNCHED_FOR_FLAGS, relaunchArgsForEngineFlags } from '../../electron/engine-relaunch';
import { ENGINE_V8_FLAGS } from '../../electron/v8-flags.mjs';

const OURS = ENGINE_V8_FLAGS.join(' ');
/** The value Electron's app.commandLine.getSwitchValue('js-flags') gives for these arguments. */
const jsFlagsOf = (args: readonly string[]): string =>
  args.find((a) => a.startsWith('--js-flags='))?.slice('--js-flags='.length) ?? '';

describe("the desktop app's restart for the engine's V8 flags (electron/engine-relaunch.ts)", () => {
  it('restarts the packaged app, started from its icon, with the flags and its own arguments', () => {
    const argv = ['/opt/Migration Manager/migration-manager', '--data-dir', '/home/eng/mm'];
    expect(relaunchArgsForEngineFlags(argv, '', {})).toEqual([
      `--js-flags=${OURS}`,
      '--data-dir',
      '/home/eng/mm',
    ]);
  });

  it('does not restart an app that launch.mjs started with the flags', () => {
    const argv = ['/usr/lib/electron/electron', `--js-flags=${OURS}`, 'out/electron/main.cjs'];
    expect(relaunchArgsForEngineFlags(argv, jsFlagsOf(argv), {})).toBeUndefined();
  });

  it("keeps the engineer's own V8 flags and adds the missing ones in one --js-flags switch", () => {
    const argv = ['/opt/mm/mm', '--js-flags=--stack-size=2000', 'project.mm'];
    const args = relaunchArgsForEngineFlags(argv, jsFlagsOf(argv), {});
    expect(args).toEqual([`--js-flags=--stack-size=2000 ${OURS}`, 'project.mm']);
    // The restarted app, given those arguments, does not restart again.
    expect(relaunchArgsForEngineFlags(['/opt/mm/mm', ...args!], jsFlagsOf(args!), {})).toBeUndefined();
  });

  it('restarts at most once: an Electron that dropped the switch does not loop', () => {
    const argv = ['/opt/mm/mm'];
    expect(relaunchArgsForEngineFlags(argv, '', { [RELAUNCHED_FOR_FLAGS]: '1' })).toBeUndefined();
    expect(relaunchArgsForEngineFlags(argv, '', { [RELAUNCHED_FOR_FLAGS]: '0' })).toEqual([
      `--js-flags=${OURS}`,
    ]);
  });
});
