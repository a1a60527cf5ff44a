import Type, { type Static } from 'typebox';

/** A model file as `GET /api/models` lists it, merged over the backends that have it. */
export const ModelInfo = Type.Object({
  id: Type.String({ description: 'file name as the backend reports it, e.g. "sd_xl_base_1.0.safetensors"' }),
  name: Type.String(),
  family: Type.String({ description: '"unknown" until model-family rules exist' }),
  folder: Type.String({ description: 'ComfyUI model folder, e.g. "checkpoints"' }),
  backends: Type.Array(Type.String(), { description: 'ids of the backends that have it' }),
});
export type ModelInfo = Static<typeof ModelInfo>;
