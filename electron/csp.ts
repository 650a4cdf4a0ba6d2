/**
 * One Content-Security-Policy for every shell. Mantine injects inline styles, so style-src
 * needs 'unsafe-inline'; nothing else is loose. connect-src 'self' lets the browser host's
 * renderer reach its own /api.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
