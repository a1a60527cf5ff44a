/*
 * Downloads. One asset is its file route with ?download=1 (an attachment with its own name); several
 * are one zip from POST /api/assets/download, the ids in a form body (a URL could hold only ~900 of
 * them within Node's 16 KiB request head). A download needs a navigation, so the page submits a
 * hidden form; the server's Content-Disposition keeps the page where it is.
 */

/** What the server takes in one POST; a larger selection becomes several zips. */
export const ZIP_CHUNK = 10_000;

export function fileDownloadUrl(asset: { url: string }): string {
  return `${asset.url}${asset.url.includes('?') ? '&' : '?'}download=1`;
}

export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The form bodies for a selection: ids are hex, so commas need no escaping. */
export function zipDownloadBodies(ids: readonly string[], chunk = ZIP_CHUNK): string[] {
  return chunks(ids, chunk).map((part) => part.join(','));
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

/** Downloads the assets as zips (one per ZIP_CHUNK ids) by posting a hidden form. */
export function startZipDownload(ids: readonly string[]): void {
  for (const body of zipDownloadBodies(ids)) {
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = '/api/assets/download';
    form.style.display = 'none';
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = 'ids';
    input.value = body;
    form.appendChild(input);
    document.body.appendChild(form);
    form.submit();
    form.remove();
  }
}
