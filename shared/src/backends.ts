import Type, { type Static } from 'typebox';
import { WorkerInfo } from './agents.js';

export const GpuDevice = Type.Object({
  name: Type.String(),
  type: Type.String(),
  vramTotal: Type.Optional(Type.Number()),
  vramFree: Type.Optional(Type.Number()),
});
export type GpuDevice = Static<typeof GpuDevice>;

/** One ComfyUI server as the workers see it; refreshed every few seconds by the backend monitor. */
export const BackendStatus = Type.Object({
  id: Type.String({ description: 'stable id derived from the URL, e.g. "comfyui-1"' }),
  url: Type.String(),
  online: Type.Boolean(),
  /** Label for a protocol fake that says so in its system_stats. */
  simulated: Type.Boolean(),
  checkedAt: Type.String(),
  lastOnlineAt: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  /** Prompts waiting or running on the ComfyUI server itself. */
  queueRemaining: Type.Optional(Type.Integer()),
  version: Type.Optional(Type.String()),
  devices: Type.Array(GpuDevice),
  checkpoints: Type.Array(Type.String()),
  samplers: Type.Array(Type.String()),
  schedulers: Type.Array(Type.String()),
  /** Files per model folder the backend reports; the lists themselves are at `backendModels(id)` (BackendModels). */
  modelCounts: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 0 }))),
  /** Changes whenever any of those lists changes (same as BackendModels.hash). */
  modelsHash: Type.Optional(Type.String()),
  /** Which of OPTIONAL_NODE_TYPES the backend's /object_info has (the page offers a feature only where its nodes are). */
  nodes: Type.Optional(Type.Array(Type.String())),
});
export type BackendStatus = Static<typeof BackendStatus>;

/**
 * Node types a feature needs that a backend may lack: Canny (core, but its module needs kornia: missing
 * on the real 0.3.64 captured in shared/protocols), the upscale-model nodes (same), and the IP-Adapter
 * custom node pack. The monitor asks each backend's /object_info for them.
 */
export const OPTIONAL_NODE_TYPES = ['Canny', 'UpscaleModelLoader', 'ImageUpscaleWithModel', 'IPAdapterUnifiedLoader', 'IPAdapter'] as const;

/**
 * ComfyUI model folder keys the backend monitor lists (GET /models/{folder}), when the backend has them:
 * the catalogue's folders (server/src/models/model-folders.ts) less its non-ComfyUI `video`.
 */
export const BACKEND_MODEL_FOLDERS = [
  'checkpoints',
  'diffusion_models',
  'loras',
  'vae',
  'controlnet',
  'clip_vision',
  'text_encoders',
  'upscale_models',
  'ipadapter',
] as const;

/**
 * The model files one backend reports, per folder, as the monitor last read them. Kept at its own key
 * (`backendModels(id)`), apart from BackendStatus: that one rides every `backend.status` event, and a
 * folder can hold thousands of LoRAs.
 */
export const BackendModels = Type.Object({
  id: Type.String(),
  url: Type.String(),
  checkedAt: Type.String(),
  /** folder key → relative file names with `/` separators (Windows backslashes normalized), sorted. */
  folders: Type.Record(Type.String(), Type.Array(Type.String())),
  /**
   * The backend's own separator: `\\` for a ComfyUI on Windows, whose loaders expect the names spelled
   * with backslashes (`/models/{folder}` and object_info list them that way).
   */
  separator: Type.Union([Type.Literal('/'), Type.Literal('\\')]),
  /** A short digest of `folders`: equal hashes, equal lists. */
  hash: Type.String(),
});
export type BackendModels = Static<typeof BackendModels>;

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  redis: Type.Object({ ok: Type.Boolean(), latencyMs: Type.Optional(Type.Number()), error: Type.Optional(Type.String()) }),
  backends: Type.Array(
    Type.Object({
      id: Type.String(),
      url: Type.String(),
      online: Type.Boolean(),
      simulated: Type.Boolean(),
      checkedAt: Type.String(),
      error: Type.Optional(Type.String()),
      queueDepth: Type.Integer({ description: 'jobs waiting in our queue for ComfyUI backends' }),
      queueRemaining: Type.Optional(Type.Integer()),
      version: Type.Optional(Type.String()),
      devices: Type.Array(GpuDevice),
    }),
  ),
  queues: Type.Record(Type.String(), Type.Object({ waiting: Type.Integer(), active: Type.Integer() })),
  workers: Type.Object({
    live: Type.Integer(),
    /** What each live worker serves and where its outputs go (shared disk, or uploads to the server). */
    list: Type.Optional(Type.Array(WorkerInfo)),
  }),
  providers: Type.Object({
    flux: Type.Object({
      configured: Type.Boolean(),
      /** BFL credit balance (1 credit = $0.01), cached for about a minute; only when configured. */
      credits: Type.Optional(Type.Number()),
      creditsError: Type.Optional(Type.String()),
    }),
    v0: Type.Object({ configured: Type.Boolean() }),
  }),
});
export type Health = Static<typeof Health>;

/** `comfyui-1`, `comfyui-2`… in COMFYUI_URLS order: stable across processes with the same config. */
export function backendIds(urls: readonly string[]): { id: string; url: string }[] {
  return urls.map((url, i) => ({ id: `comfyui-${i + 1}`, url }));
}
