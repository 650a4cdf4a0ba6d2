import { describe, expect, it } from 'vitest';
import { isSafeExternalUrl, secureWindowOptions } from '../../electron/window';
import { CONTENT_SECURITY_POLICY } from '../../electron/csp';

describe('Electron window security', () => {
  it('isolates and sandboxes the renderer', () => {
    const prefs = secureWindowOptions('/app/preload.cjs').webPreferences ?? {};
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      preload: '/app/preload.cjs',
    });
  });

  it('lets only plain http(s) links out to the system browser', () => {
    expect(isSafeExternalUrl('https://docs.example.com/a')).toBe(true);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeExternalUrl('smb://host/share')).toBe(false);
    expect(isSafeExternalUrl('https://user:pw@host/')).toBe(false);
    expect(isSafeExternalUrl('not a url')).toBe(false);
  });

  it('has a CSP with nothing loose but inline styles', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
  });
});
