import { V0_ATTACHMENT_MAX_BYTES } from '@orchestrator/shared';
import { sniffImage } from '../../cloud/files.js';
import { JobFailure } from '../../errors.js';
import { readInputImage, type InputImageSources } from '../../storage/input-image.js';

/*
 * A job's `attachments` (upload or gallery image ids) → v0's `attachments: [{url}]`, each a data URI:
 * our files are not reachable from v0. The server made every picture fit V0_ATTACHMENT_MAX_BYTES before
 * queueing the job; a picture that does not (a request from an older server, a file changed since) fails
 * the job rather than a request v0 would refuse as too large.
 */
export async function attachmentUrls(ids: readonly string[] | undefined, roots: InputImageSources | undefined): Promise<{ url: string }[]> {
  if (!ids?.length) return [];
  if (!roots) throw new JobFailure('invalid_input', 'This worker cannot read pictures to send to v0');
  const out: { url: string }[] = [];
  for (const [i, id] of ids.entries()) {
    const image = await readInputImage(id, roots, V0_ATTACHMENT_MAX_BYTES).catch((err: unknown) => {
      if (!(err instanceof JobFailure)) throw err;
      const why = /larger than/.test(err.message) ? `is larger than the ${Math.round(V0_ATTACHMENT_MAX_BYTES / 1024)} KB a picture sent to v0 may be` : `cannot be sent: ${err.message}`;
      throw new JobFailure('invalid_input', `Attachment ${i + 1} (${id}) ${why}`);
    });
    if (!image) throw new JobFailure('invalid_input', `Attachment ${i + 1}: no upload or gallery image has the id ${id}`);
    const type = sniffImage(image.bytes);
    if (!type) throw new JobFailure('invalid_input', `Attachment ${i + 1} (${id}) is not a PNG, JPEG or WebP image`);
    out.push({ url: `data:${type.mime};base64,${image.bytes.toString('base64')}` });
  }
  return out;
}
