import Type, { type Static } from 'typebox';
import { ASSET_TYPES } from './jobs.js';
import { SiteInfo } from './requests/v0.js';

/** Generation metadata, as embedded in the file and its JSON sidecar. */
export const GenerationMeta = Type.Object({
  jobId: Type.Optional(Type.String()),
  provider: Type.Optional(Type.String()),
  model: Type.Optional(Type.String()),
  prompt: Type.Optional(Type.String()),
  negativePrompt: Type.Optional(Type.String()),
  seed: Type.Optional(Type.Number()),
  steps: Type.Optional(Type.Number()),
  cfg: Type.Optional(Type.Number()),
  sampler: Type.Optional(Type.String()),
  scheduler: Type.Optional(Type.String()),
  width: Type.Optional(Type.Number()),
  height: Type.Optional(Type.Number()),
  backend: Type.Optional(Type.String()),
  aspectRatio: Type.Optional(Type.String()),
  guidance: Type.Optional(Type.Number()),
  /** The asset or upload id a job started from (an edit, an image prompt). */
  inputImage: Type.Optional(Type.String()),
  /** The saved custom workflow a ComfyUI job ran (its name at the time). */
  workflow: Type.Optional(Type.String()),
  /** The LoRAs applied, in order: `name:strength`, comma-separated. */
  loras: Type.Optional(Type.String()),
  /** img2img / inpaint: how much of the input image was re-noised (0–1). */
  denoise: Type.Optional(Type.Number()),
  /** Inpainting: the upload id of the mask. */
  mask: Type.Optional(Type.String()),
  /** The ControlNets applied, in order: `model:strength`, comma-separated (a Canny one adds ` (canny)`). */
  controlNets: Type.Optional(Type.String()),
  /** The hires-fix pass: `×scale, denoise d, n steps`. */
  hiresFix: Type.Optional(Type.String()),
  /** An upscale job: the model (or `lanczos`) and the factor, e.g. `4x-UltraSharp.pth ×2`. */
  upscale: Type.Optional(Type.String()),
  /** A custom workflow's own slots (the well-known ones land in the fields above): name → value used. */
  slots: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
});
export type GenerationMeta = Static<typeof GenerationMeta>;

export const Asset = Type.Object({
  id: Type.String(),
  type: Type.Enum(ASSET_TYPES),
  fileName: Type.String(),
  /** Path relative to OUTPUT_PATH, with forward slashes. */
  relPath: Type.String(),
  size: Type.Integer(),
  mimeType: Type.String(),
  createdAt: Type.String(),
  url: Type.String(),
  thumbUrl: Type.String(),
  meta: GenerationMeta,
  /** Team mode: the user whose job made it (from its sidecar or manifest). Files from elsewhere have none. */
  owner: Type.Optional(Type.String()),
  /** File facts the gallery index reads from the header (absent when it cannot tell). */
  width: Type.Optional(Type.Integer({ minimum: 0 })),
  height: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Videos (ffprobe) and animated images. */
  durationMs: Type.Optional(Type.Number({ minimum: 0 })),
  frames: Type.Optional(Type.Integer({ minimum: 0 })),
  fps: Type.Optional(Type.Number({ minimum: 0 })),
  /** An animated GIF/WebP/APNG; with several frames it is indexed as a video clip (an <img> plays it). */
  animated: Type.Optional(Type.Boolean()),
  /** The file's modification time (ms); with `size`, how the indexer tells a file changed. */
  mtimeMs: Type.Optional(Type.Number()),
  /** A site's title, from its manifest. */
  title: Type.Optional(Type.String()),
  /** A site's thumbnail source: its newest screenshot (path relative to OUTPUT_PATH). */
  screenshot: Type.Optional(Type.String()),
  /** A v0 site: its chat, newest version, preview and versions. */
  site: Type.Optional(SiteInfo),
});
export type Asset = Static<typeof Asset>;

/** Name of the manifest that makes a folder of OUTPUT_PATH a site asset; the asset's relPath is the manifest's. */
export const SITE_MANIFEST = 'site.json';

/**
 * `<folder>/site.json`, written by whoever produced the site. Read leniently by the gallery index:
 * every field is optional and unknown fields are kept for their writer.
 */
export const SiteManifest = Type.Object({
  version: Type.Optional(Type.Number()),
  createdAt: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
  /** The page to open, relative to the folder (e.g. `index.html`). */
  entry: Type.Optional(Type.String()),
  meta: Type.Optional(GenerationMeta),
});
export type SiteManifest = Static<typeof SiteManifest>;

/** The sidecar written next to every output: `<file>.json`. */
export const AssetSidecar = Type.Object({
  version: Type.Literal(1),
  createdAt: Type.String(),
  meta: GenerationMeta,
  /** The user whose job wrote it (team mode). Kept out of `meta`, which is also embedded in the file and travels with it. */
  owner: Type.Optional(Type.String()),
});
export type AssetSidecar = Static<typeof AssetSidecar>;

export function assetUrls(id: string): { url: string; thumbUrl: string } {
  return { url: `/api/assets/${id}/file`, thumbUrl: `/api/assets/${id}/thumb` };
}

/**
 * Stable asset id for a path relative to OUTPUT_PATH: 16 hex chars of two FNV-1a hashes. Ids never
 * carry the path itself, and the same file always gets the same id, so the index can be rebuilt.
 */
export function assetIdForPath(relPath: string): string {
  const bytes = new TextEncoder().encode(relPath);
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (const byte of bytes) {
    a = Math.imul(a ^ byte, 0x01000193) >>> 0;
    b = Math.imul(b ^ byte, 0x01000193 + 0x2f) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

export const ASSET_ID_PATTERN = '^[0-9a-f]{16}$';

export function assetRef(asset: Asset): { id: string; type: Asset['type']; url: string; thumbUrl: string } {
  return { id: asset.id, type: asset.type, url: asset.url, thumbUrl: asset.thumbUrl };
}
