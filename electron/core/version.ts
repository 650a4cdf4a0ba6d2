import pkg from '../../package.json' with { type: 'json' };

/** The manager's version, from package.json (one source of truth for the app, CLI and agents). */
export const APP_VERSION: string = pkg.version;
