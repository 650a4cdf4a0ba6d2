import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The application's root folder (package.json, agents/, out/). This file sits two levels below
 * it, and so does the Electron bundle (out/electron/main.cjs), whose build maps import.meta.url
 * to its own file: the same relative step works from source (tsx) and from the bundle.
 */
export const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const AGENTS_DIR = join(APP_ROOT, 'agents');
export const XSD_DIR = join(AGENTS_DIR, 'xsd');
export const RENDERER_DIR = join(APP_ROOT, 'out', 'renderer');
