import {
  SafetensorsError,
  detectModelFamily,
  familyFromModelName,
  modelspecInfo,
  type ModelFamily,
  type ModelInfo,
  type SafetensorsHeader,
} from '@orchestrator/shared';
import { SAFETENSORS_EXTENSIONS, extensionOf } from './model-folders.js';
import { prettyStem } from './model-naming.js';
import { readSafetensorsHeader } from './header-reader.js';
import type { ScannedFile } from './model-scanner.js';

/** What the catalogue keeps per model: small, so 5,000 LoRAs stay cheap to hold and to filter. */
export interface ModelRecord {
  id: string;
  folder: string;
  file: string;
  name: string;
  family: ModelFamily;
  familySource: 'header' | 'name' | 'none';
  familyReason: string;
  variant?: string;
  kind?: string;
  triggerWords: string[];
  resolution?: { width: number; height: number };
  /** Only for files under MODELS_PATH. */
  local?: { path: string; size: number; mtimeMs: number };
  hash?: string;
  /** Lower-cased name, file, title, trigger words and tags, for `?q=`. */
  haystack: string;
}

/** A record from the header's evidence, falling back to the file name when the header tells nothing. */
export function recordFromHeader(file: ScannedFile, header: SafetensorsHeader | null, headerError?: string): ModelRecord {
  const spec = header ? modelspecInfo(header.metadata) : undefined;
  const detected = header ? detectModelFamily(header) : undefined;
  const rec = baseRecord(file.folder, file.file, spec?.title);
  rec.local = { path: file.path, size: file.size, mtimeMs: file.mtimeMs };
  if (detected && (detected.family !== 'unknown' || rec.familySource === 'none')) {
    rec.family = detected.family;
    rec.familySource = detected.family === 'unknown' ? 'none' : 'header';
    rec.familyReason = detected.reason;
    if (detected.variant) rec.variant = detected.variant;
  } else if (!header && headerError && rec.familySource === 'none') {
    rec.familyReason = headerError;
  }
  if (detected?.kind) rec.kind = detected.kind;
  if (spec) {
    rec.triggerWords = spec.triggerWords;
    if (spec.resolution) rec.resolution = spec.resolution;
  }
  rec.haystack = haystack(rec, [spec?.title, ...(spec?.tags ?? [])]);
  return rec;
}

/** A model only a backend reports (or a file we cannot read): everything comes from its name. */
export function baseRecord(folder: string, file: string, title?: string): ModelRecord {
  const fromName = familyFromModelName(file);
  const rec: ModelRecord = {
    id: `${folder}/${file}`,
    folder,
    file,
    name: title ?? prettyStem(file),
    family: fromName ?? 'unknown',
    familySource: fromName ? 'name' : 'none',
    familyReason: fromName ? 'name' : 'no evidence',
    triggerWords: [],
    haystack: '',
  };
  rec.haystack = haystack(rec, []);
  return rec;
}

function haystack(rec: ModelRecord, extra: Array<string | undefined>): string {
  return [rec.name, rec.file, ...rec.triggerWords, ...extra].filter(Boolean).join('\n').toLowerCase();
}

/** Reads the header when the file is safetensors; a broken header is noted, never thrown. */
export async function recordForFile(file: ScannedFile): Promise<ModelRecord> {
  if (!SAFETENSORS_EXTENSIONS.has(extensionOf(file.file))) return recordFromHeader(file, null);
  try {
    return recordFromHeader(file, await readSafetensorsHeader(file.path));
  } catch (err) {
    const why = err instanceof SafetensorsError ? err.message : `header not readable (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
    return recordFromHeader(file, null, why);
  }
}

/** The wire shape; `backends` is filled in by the caller from the backends' reports. */
export function toModelInfo(rec: ModelRecord, backends: string[]): ModelInfo {
  const info: ModelInfo = {
    id: rec.id,
    name: rec.name,
    family: rec.family,
    folder: rec.folder,
    backends,
    file: rec.file,
    familySource: rec.familySource,
    familyReason: rec.familyReason,
    local: rec.local !== undefined,
  };
  if (rec.variant) info.variant = rec.variant;
  if (rec.kind) info.kind = rec.kind;
  if (rec.local) {
    info.size = rec.local.size;
    info.modifiedAt = new Date(rec.local.mtimeMs).toISOString();
  }
  if (rec.triggerWords.length > 0) info.triggerWords = rec.triggerWords;
  if (rec.resolution) info.resolution = rec.resolution;
  if (rec.hash) {
    info.hash = rec.hash;
    info.shortHash = rec.hash.slice(0, 10);
  }
  return info;
}
