import Type, { type Static } from 'typebox';

/**
 * A model file as `GET /api/models` lists it: a file under MODELS_PATH, merged with what the ComfyUI
 * backends report in any folder (a file only a backend has is listed too, `local: false`). Fields past
 * `backends` are optional so older records and callers stay valid.
 */
export const ModelInfo = Type.Object({
  id: Type.String({
    description:
      'folder + "/" + file, e.g. "loras/style/ink.safetensors"; URL-encode it as one path segment in GET /api/models/:id',
  }),
  name: Type.String({ description: 'friendly name: modelspec title, else the file stem with _ as spaces' }),
  family: Type.String({ description: 'sd15 | sdxl | sd3 | flux | svd | unknown' }),
  folder: Type.String({ description: 'catalogue folder key, e.g. "checkpoints", "loras", "diffusion_models"' }),
  backends: Type.Array(Type.String(), {
    description: 'ids of the ComfyUI backends that report the file in this folder (GET /models/{folder}; checkpoints also from object_info)',
  }),
  file: Type.Optional(Type.String({ description: 'the name ComfyUI loaders take: relative to the folder, forward slashes' })),
  familySource: Type.Optional(
    Type.Union([Type.Literal('header'), Type.Literal('name'), Type.Literal('none')], {
      description: 'header: safetensors header; name: a hint in the file name; none: no evidence',
    }),
  ),
  familyReason: Type.Optional(Type.String({ description: 'the evidence, e.g. "cross-attention context dim 2048 (…)" or "name"' })),
  variant: Type.Optional(Type.String({ description: 'dev, schnell, refiner, inpaint, large, medium, …' })),
  kind: Type.Optional(Type.String({ description: 'checkpoint | diffusion_model | lora, where the header tells' })),
  local: Type.Optional(Type.Boolean({ description: 'the file is under MODELS_PATH on the server' })),
  size: Type.Optional(Type.Integer({ description: 'bytes; absent for a model only a backend reports' })),
  modifiedAt: Type.Optional(Type.String({ description: 'file mtime, ISO 8601' })),
  triggerWords: Type.Optional(Type.Array(Type.String())),
  resolution: Type.Optional(Type.Object({ width: Type.Integer(), height: Type.Integer() })),
  hash: Type.Optional(Type.String({ description: 'sha256 of the whole file (hex), once the background hasher has read it' })),
  shortHash: Type.Optional(Type.String({ description: 'first 10 hex chars of hash, as A1111 / Civitai show it' })),
});
export type ModelInfo = Static<typeof ModelInfo>;

/** What a page of `GET /api/models` returns. */
export const ModelPage = Type.Object({
  items: Type.Array(ModelInfo),
  nextCursor: Type.Optional(Type.String({ description: 'pass as ?cursor= for the next page' })),
  total: Type.Integer({ description: 'models matching the filters, over all pages' }),
});
export type ModelPage = Static<typeof ModelPage>;

/** The human-facing part of a safetensors `__metadata__` (SAI ModelSpec, kohya fallbacks). */
export const ModelMetadata = Type.Object({
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  architecture: Type.Optional(Type.String()),
  author: Type.Optional(Type.String()),
  license: Type.Optional(Type.String()),
  date: Type.Optional(Type.String()),
  usageHint: Type.Optional(Type.String()),
  resolution: Type.Optional(Type.Object({ width: Type.Integer(), height: Type.Integer() })),
  triggerWords: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
});
export type ModelMetadata = Static<typeof ModelMetadata>;

export const HashStatus = Type.Union([Type.Literal('done'), Type.Literal('queued'), Type.Literal('hashing'), Type.Literal('none')], {
  description: 'done: hash is known; queued/hashing: the background hasher has it; none: not asked for yet (or not a local file)',
});
export type HashStatus = Static<typeof HashStatus>;

/** `GET /api/models/:id`: the list item plus what only the header holds. */
export const ModelDetails = Type.Object({
  ...ModelInfo.properties,
  metadata: Type.Optional(ModelMetadata),
  rawMetadata: Type.Optional(
    Type.Record(Type.String(), Type.String(), { description: 'the `__metadata__` map; long values are cut at 4,096 chars' }),
  ),
  tensorCount: Type.Optional(Type.Integer()),
  hashStatus: HashStatus,
});
export type ModelDetails = Static<typeof ModelDetails>;
