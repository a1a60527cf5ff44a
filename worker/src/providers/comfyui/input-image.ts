import { MAX_INPUT_IMAGE_BYTES } from '@orchestrator/shared';
import { JobFailure } from '../../errors.js';
import { readInputImage, type InputImage, type InputImageSources } from '../../storage/input-image.js';

/*
 * The input image of an image-to-video job (an upload or a gallery image, see storage/input-image.ts),
 * sent to the backend with `POST /upload/image` (protocol §1.8). The returned name is what LoadImage takes.
 */

const MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif' };
/** The limit uploads are held to (shared with BFL): an image the server accepted is one this job takes. */
const MAX_INPUT_BYTES = MAX_INPUT_IMAGE_BYTES;

export async function resolveInputImage(id: string, sources: InputImageSources): Promise<InputImage> {
  const image = await readInputImage(id, sources, MAX_INPUT_BYTES);
  if (!image) throw new JobFailure('invalid_input', `Input image "${id}" is neither an upload nor an image in the gallery`);
  return image;
}

/** Sends the image to the backend's input folder; returns the name to bind to LoadImage. */
export async function uploadToBackend(backend: { baseUrl: string; authorization: string | undefined }, name: string, image: InputImage, timeoutMs = 30_000): Promise<string> {
  const { baseUrl } = backend;
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(image.bytes)], { type: MIME[image.ext] ?? 'application/octet-stream' }), `${name}${image.ext}`);
  form.append('type', 'input');
  form.append('overwrite', 'true');
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/upload/image`, {
      method: 'POST',
      body: form,
      ...(backend.authorization ? { headers: { authorization: backend.authorization } } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new JobFailure('backend_error', `Could not upload the input image to ${baseUrl}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw new JobFailure('backend_error', `ComfyUI refused the input image upload (HTTP ${res.status})`);
  const body = (await res.json().catch(() => ({}))) as { name?: unknown; subfolder?: unknown };
  if (typeof body.name !== 'string' || body.name === '') throw new JobFailure('backend_error', 'ComfyUI answered the upload without a file name');
  return typeof body.subfolder === 'string' && body.subfolder ? `${body.subfolder}/${body.name}` : body.name;
}
