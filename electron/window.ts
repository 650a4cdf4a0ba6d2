/**
 * Secure BrowserWindow options as a pure function (unit-tested without Electron) and the
 * navigation guards every window gets. Type-only imports keep this file loadable in plain Node.
 */
import type { BrowserWindowConstructorOptions, WebContents } from 'electron';

export function secureWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Migration Manager',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** Only http(s) links may leave the app, and only to the system browser. */
export function isSafeExternalUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === ''
    );
  } catch {
    return false;
  }
}

/** The app's own page, whatever its hash route (#/p/<id>/…): the renderer routes by hash. */
export function isAppPage(url: string | undefined, appUrl: string): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    u.hash = '';
    const a = new URL(appUrl);
    a.hash = '';
    return u.toString() === a.toString();
  } catch {
    return false;
  }
}

/** The app never navigates away from its own page and never opens windows of its own. */
export function installNavigationGuards(
  contents: WebContents,
  appUrl: string,
  openExternal: (url: string) => void,
): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppPage(url, appUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/**
 * IPC is answered only for the main frame of a window this app created, showing the app's own
 * page (GitHub Desktop's trusted-sender rule): a navigated or foreign frame gets nothing.
 */
export function isTrustedSender(
  ourWindows: ReadonlySet<number>,
  appUrl: string,
  sender: { readonly id: number },
  frameUrl: string | undefined,
): boolean {
  return ourWindows.has(sender.id) && isAppPage(frameUrl, appUrl);
}
