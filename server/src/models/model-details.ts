import { modelspecInfo, type ModelDetails, type ModelMetadata } from '@orchestrator/shared';
import { SAFETENSORS_EXTENSIONS, extensionOf } from './model-folders.js';
import { readSafetensorsHeader } from './header-reader.js';
import type { ModelRecord } from './model-record.js';

/** Longest `__metadata__` value we return; kohya's tag frequencies and thumbnails can run to megabytes. */
const MAX_VALUE_CHARS = 4096;
const MAX_KEYS = 200;

type HeaderDetails = Pick<ModelDetails, 'metadata' | 'rawMetadata' | 'tensorCount'>;

/**
 * What only the header holds, read again on demand (the catalogue keeps just the searchable part in
 * memory). A file that vanished or is not safetensors simply has no details.
 */
export async function readModelDetails(rec: ModelRecord): Promise<HeaderDetails> {
  if (!rec.local || !SAFETENSORS_EXTENSIONS.has(extensionOf(rec.file))) return {};
  let header;
  try {
    header = await readSafetensorsHeader(rec.local.path);
  } catch {
    return {};
  }
  const spec = modelspecInfo(header.metadata);
  const metadata: ModelMetadata = { triggerWords: spec.triggerWords, tags: spec.tags };
  for (const key of ['title', 'description', 'architecture', 'author', 'license', 'date', 'usageHint'] as const) {
    const v = spec[key];
    if (v !== undefined) metadata[key] = v;
  }
  if (spec.resolution) metadata.resolution = spec.resolution;
  const rawMetadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(header.metadata).slice(0, MAX_KEYS)) {
    rawMetadata[k] = v.length > MAX_VALUE_CHARS ? `${v.slice(0, MAX_VALUE_CHARS)}…` : v;
  }
  return { metadata, rawMetadata, tensorCount: header.tensors.length };
}
