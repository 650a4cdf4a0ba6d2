import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where projects live when neither --data-dir nor MM_DATA_DIR says otherwise: the user's data
 * directory of the platform (XDG on Linux). Electron passes app.getPath('userData') instead.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env['MM_DATA_DIR']) return env['MM_DATA_DIR'];
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'migration-manager');
  if (platform === 'win32')
    return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'migration-manager');
  const xdg = env['XDG_DATA_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'share'), 'migration-manager');
}
