/*
 * A ComfyUI backend URL may carry credentials (`http://user:pw@gpu1:8188`, a backend behind basic auth).
 * They are sent as an Authorization header and never shown: every URL a person or a log can see is the
 * redacted one.
 */

export interface BackendEndpoint {
  /** The URL without credentials (and without a trailing slash). */
  url: string;
  /** `Basic …` when the configured URL had credentials. */
  authorization?: string;
}

export function backendEndpoint(configured: string): BackendEndpoint {
  try {
    const u = new URL(configured);
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    u.username = '';
    u.password = '';
    const url = u.toString().replace(/\/+$/, '');
    if (!user && !pass) return { url };
    const bytes = new TextEncoder().encode(`${user}:${pass}`);
    return { url, authorization: `Basic ${btoa(String.fromCharCode(...bytes))}` };
  } catch {
    return { url: redactUrl(configured) };
  }
}

/** A URL without its credentials (`http://user:pw@host` → `http://host`): what may be shown or logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    const out = u.toString();
    return url.endsWith('/') || !out.endsWith('/') ? out : out.slice(0, -1);
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}
