/*
 * The only changes the preview proxy makes to a site's responses: root-absolute paths (`/_next/...`,
 * not `//host/...`) in HTML attributes and CSS `url()` get the preview prefix, so they come back through
 * the proxy; and one overlay <script> goes into the HTML's <head>. Nothing else is touched.
 */

const ATTR = /(\s(?:src|href|action|formaction|poster|data)\s*=\s*)(["'])\/(?![/\\])/gi;
const SRCSET = /(\s(?:srcset|imagesrcset)\s*=\s*)(["'])([^"']*)\2/gi;
const CSS_URL = /(url\(\s*)(["']?)\/(?![/\\])/gi;
const CSS_IMPORT = /(@import\s+)(["'])\/(?![/\\])/gi;

export function rewriteCss(css: string, prefix: string): string {
  return css.replace(CSS_URL, `$1$2${prefix}/`).replace(CSS_IMPORT, `$1$2${prefix}/`);
}

export function rewriteHtml(html: string, prefix: string): string {
  return html
    .replace(ATTR, `$1$2${prefix}/`)
    .replace(SRCSET, (_m, lead: string, q: string, list: string) => `${lead}${q}${list.replace(/(^|,\s*)\/(?![/\\])/g, `$1${prefix}/`)}${q}`)
    .replace(/(<style\b[^>]*>)([\s\S]*?)(<\/style>)/gi, (_m, open: string, css: string, close: string) => `${open}${rewriteCss(css, prefix)}${close}`)
    .replace(/(\sstyle\s*=\s*)(["'])([^"']*)\2/gi, (_m, lead: string, q: string, css: string) => `${lead}${q}${rewriteCss(css, prefix)}${q}`);
}

const escAttr = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One `<script data-orchestrator-overlay>` right after `<head>` (else after `<html>`, else first). */
export function injectOverlay(html: string, o: { src: string; parentOrigin: string; prefix: string }): string {
  const tag = `<script data-orchestrator-overlay src="${escAttr(o.src)}" data-parent-origin="${escAttr(o.parentOrigin)}" data-prefix="${escAttr(o.prefix)}"></script>`;
  const head = /<head\b[^>]*>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + tag + html.slice(head.index + head[0].length);
  const root = /<html\b[^>]*>/i.exec(html);
  if (root) return html.slice(0, root.index + root[0].length) + tag + html.slice(root.index + root[0].length);
  return tag + html;
}
