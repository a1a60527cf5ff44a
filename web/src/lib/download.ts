/*
 * Downloads. One asset is its file route with ?download=1 (an attachment with its own name); several
 * are one zip from /api/assets/download?ids=… . The ids travel in the URL, and Node's default limit on
 * a request head is 16 KiB: 500 ids of 16 hex chars are ~8.5 KB, safely under it.
 */

export const DOWNLOAD_CHUNK = 500;

export function fileDownloadUrl(asset: { url: string }): string {
  return `${asset.url}${asset.url.includes('?') ? '&' : '?'}download=1`;
}

/** One zip URL per chunk of ids (ids are hex, so commas need no escaping). */
export function zipDownloadUrls(ids: readonly string[], chunk = DOWNLOAD_CHUNK): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += chunk) {
    out.push(`/api/assets/download?ids=${ids.slice(i, i + chunk).map(encodeURIComponent).join(',')}`);
  }
  return out;
}

export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Starts a download without leaving the page (the server answers with Content-Disposition: attachment). */
export function startDownload(url: string, fileName = ''): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
