/**
 * The security settings as BUILT, not only as written: test/unit/window.test.ts checks the
 * source's window options and CSP; this reads what `npm run build` produced and would ship —
 * the Electron main bundle (out/electron/main.cjs) and the renderer (out/renderer) — so a
 * build step, a bundler option or a stale file cannot loosen them unseen.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../electron/csp';
import { REPO_ROOT } from '../helpers/paths';

const OUT = join(REPO_ROOT, 'out');

/** The text of the first `{…}` object literal after `marker`, braces balanced. */
function objectAfter(text: string, marker: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`"${marker}" is not in the bundle`);
  const open = text.indexOf('{', at);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  throw new Error(`the object after "${marker}" never closes`);
}

/** "key: value" pairs of a flat object literal as esbuild prints it. */
function pairs(literal: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of literal.matchAll(/(\w+):\s*([^,\n}]+)/g)) out[m[1]!] = m[2]!.trim();
  return out;
}

describe('security settings of the built app', () => {
  let main: string;
  let html: string;

  beforeAll(async () => {
    for (const f of ['electron/main.cjs', 'renderer/index.html'])
      if (!existsSync(join(OUT, f))) throw new Error(`out/${f} is missing: run "npm run build" first`);
    main = await readFile(join(OUT, 'electron', 'main.cjs'), 'utf8');
    html = await readFile(join(OUT, 'renderer', 'index.html'), 'utf8');
  });

  it('the window the bundle opens: isolated, sandboxed, no Node, no webview, web security on', () => {
    const prefs = pairs(objectAfter(main, 'webPreferences:'));
    expect(prefs).toMatchObject({
      contextIsolation: 'true',
      sandbox: 'true',
      nodeIntegration: 'false',
      nodeIntegrationInWorker: 'false',
      nodeIntegrationInSubFrames: 'false',
      webviewTag: 'false',
      webSecurity: 'true',
      allowRunningInsecureContent: 'false',
    });
    // Nowhere else in the bundle is any of them turned the other way.
    expect(main).not.toMatch(
      /nodeIntegration:\s*(true|!0)|contextIsolation:\s*(false|!1)|webSecurity:\s*(false|!1)|sandbox:\s*(false|!1)|enableRemoteModule/,
    );
  });

  it('the bundle sets the one CSP on every response, denies new windows and guards navigation', () => {
    // The policy is joined at run time: each directive is in the bundle as written.
    for (const directive of CONTENT_SECURITY_POLICY.split('; ')) expect(main).toContain(`"${directive}"`);
    expect(main).toContain('onHeadersReceived');
    expect(main).toContain('setWindowOpenHandler');
    expect(main).toContain('will-navigate');
  });

  it('the renderer page: a strict CSP of its own, no inline script, nothing loaded from elsewhere', async () => {
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    // A <meta> CSP cannot carry frame-ancestors; every other directive is the shell's.
    const expected = CONTENT_SECURITY_POLICY.split('; ').filter((d) => !d.startsWith('frame-ancestors'));
    expect(meta.split('; ')).toEqual(expected);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(body!.trim(), 'inline script').toBe('');
      expect(attrs).toMatch(/src="\.\/assets\/[\w.-]+\.js"/);
    }
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    // The bundled code loads nothing from another host either.
    const assets = join(OUT, 'renderer', 'assets');
    for (const f of (await readdir(assets)).filter((n) => n.endsWith('.js'))) {
      const js = await readFile(join(assets, f), 'utf8');
      expect(js, f).not.toMatch(/import\(\s*["']https?:|importScripts\(|<script src=["']https?:/);
    }
  });
});
