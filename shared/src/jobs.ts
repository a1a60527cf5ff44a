import Type, { type Static } from 'typebox';
import { FluxJobRequest } from './requests/flux.js';
import { ControlNetRef, HiresFix, ImageId, IpAdapterRef, MAX_CONTROLNETS, Outpaint, SlotValues, UpscaleParams } from './requests/comfy-features.js';
import { V0JobRequest } from './requests/v0.js';
import { TEMPLATE_FAMILIES } from './templates/types.js';
import { RequestPriority } from './priority.js';
import { Text } from './text.js';

export const PROVIDERS = ['comfyui', 'flux', 'v0'] as const;
export type Provider = (typeof PROVIDERS)[number];
export const JOB_KINDS = ['image', 'video', 'site'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** Statuses a job never leaves. */
export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export const MAX_SEED = Number.MAX_SAFE_INTEGER;

export const MAX_LORAS = 8;

export const LoraRef = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 512, description: 'file in the loras folder, as ComfyUI lists it' }),
    strength: Type.Number({ minimum: -10, maximum: 10, description: 'applied to both the model and the text encoder (1 = as trained)' }),
  },
  { additionalProperties: false },
);
export type LoraRef = Static<typeof LoraRef>;

export const GenerationParams = Type.Object(
  {
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SEED })),
    steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cfg: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    sampler: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.+-]+$' })),
    scheduler: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.+-]+$' })),
    width: Type.Optional(Type.Integer({ minimum: 64, maximum: 4096, multipleOf: 8 })),
    height: Type.Optional(Type.Integer({ minimum: 64, maximum: 4096, multipleOf: 8 })),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
    denoise: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    /** SD3: ModelSamplingSD3 shift. */
    shift: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    /** FLUX (local): FluxGuidance, in place of cfg. */
    guidance: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    /** SVD: video_frames, fps (conditioning and playback), motion_bucket_id, augmentation_level, min_cfg. */
    frames: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096 })),
    fps: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    motionBucketId: Type.Optional(Type.Integer({ minimum: 1, maximum: 1023 })),
    augmentationLevel: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    minCfg: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    /** SVD: video size (falls back to width / height, then 1024×576). */
    videoWidth: Type.Optional(Type.Integer({ minimum: 16, maximum: 4096, multipleOf: 8 })),
    videoHeight: Type.Optional(Type.Integer({ minimum: 16, maximum: 4096, multipleOf: 8 })),
    /** A VAE file (ComfyUI `vae` folder) for graphs that load it apart: FLUX local, SD3 without its own. */
    vae: Type.Optional(Text({ minLength: 1, maxLength: 512 })),
    /**
     * Text-encoder files (`text_encoders` folder) for graphs that load them apart, in loader order:
     * FLUX local [t5xxl, clip_l]; SD3.5 from a checkpoint without encoders [clip_l, clip_g, t5xxl].
     */
    textEncoders: Type.Optional(Type.Array(Text({ minLength: 1, maxLength: 512 }), { minItems: 1, maxItems: 3 })),
    /** LoRAs (files of the `loras` folder) applied in order between the model loader and the sampler. */
    loras: Type.Optional(Type.Array(LoraRef, { maxItems: MAX_LORAS })),
    /** ControlNets, stacked in order (ControlNetLoader + ControlNetApplyAdvanced each). */
    controlNets: Type.Optional(Type.Array(ControlNetRef, { maxItems: MAX_CONTROLNETS })),
    /** A second sampling pass on the latent upscaled by `scale`, with its own denoise and steps. */
    hiresFix: Type.Optional(HiresFix),
    /** An image prompt through IP-Adapter (a custom node pack; SD1.5 and SDXL). */
    ipAdapter: Type.Optional(IpAdapterRef),
    /** Pad `inputImage` and paint the new border (an inpaint of the padding). */
    outpaint: Type.Optional(Outpaint),
    /** `workflow: "upscale"`: the upscale model and factor. */
    upscale: Type.Optional(UpscaleParams),
  },
  { additionalProperties: false },
);
export type GenerationParams = Static<typeof GenerationParams>;

const Prompt = Text({ minLength: 1, maxLength: 20000 });
const ModelName = Text({ minLength: 1, maxLength: 512 });

export const ComfyJobRequest = Type.Object(
  {
    provider: Type.Literal('comfyui'),
    kind: Type.Union([Type.Literal('image'), Type.Literal('video')]),
    /** The template family; absent → from the model catalogue, else the checkpoint name. */
    family: Type.Optional(Type.Enum(TEMPLATE_FAMILIES)),
    model: Type.Optional(ModelName),
    /**
     * Where the model file lives: a full checkpoint, or a bare diffusion model whose encoders and VAE
     * load apart (FLUX local). The server fills it from the backends' lists when absent.
     */
    modelFolder: Type.Optional(Type.Enum(['checkpoints', 'diffusion_models'])),
    /**
     * The image to start from: an upload id (POST /api/uploads) or a gallery asset id. SVD animates it; an
     * image job becomes img2img (`params.denoise`, default 0.75), an inpaint with `mask`, or the picture
     * an upscale job enlarges.
     */
    inputImage: Type.Optional(ImageId('an upload or gallery asset id')),
    /** Inpainting: an upload id of a mask the size of the input image (white = repaint, black = keep). */
    mask: Type.Optional(ImageId('an upload id of the mask (white = repaint)')),
    /** Required for images (the server answers 400 without one); optional for image-to-video. */
    prompt: Type.Optional(Prompt),
    negativePrompt: Type.Optional(Text({ maxLength: 20000 })),
    params: Type.Optional(GenerationParams),
    /**
     * `txt2img` (the built-in template of the model's family; also img2img/inpaint with `inputImage`),
     * `upscale` (enlarge `inputImage`, see `params.upscale`), or the id of a saved custom workflow.
     */
    workflow: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
    /** A custom workflow's slot values by slot name (any slot; the well-known ones may also come from the fields above). */
    slots: Type.Optional(SlotValues),
    priority: Type.Optional(RequestPriority),
  },
  { additionalProperties: false },
);
export type ComfyJobRequest = Static<typeof ComfyJobRequest>;

/**
 * `POST /api/jobs` body. One union discriminated by provider; later providers (flux, v0) join it.
 */
export const JobRequest = Type.Union([ComfyJobRequest, FluxJobRequest, V0JobRequest]);
export type JobRequest = Static<typeof JobRequest>;

export const JobProgress = Type.Object({
  percent: Type.Number({ minimum: 0, maximum: 100 }),
  step: Type.Optional(Type.Integer()),
  totalSteps: Type.Optional(Type.Integer()),
  etaMs: Type.Optional(Type.Integer()),
  node: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});
export type JobProgress = Static<typeof JobProgress>;

export const JobError = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});
export type JobError = Static<typeof JobError>;

export const ASSET_TYPES = ['image', 'video', 'site'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

export const AssetRef = Type.Object({
  id: Type.String(),
  type: Type.Enum(ASSET_TYPES),
  url: Type.String(),
  thumbUrl: Type.String(),
});
export type AssetRef = Static<typeof AssetRef>;

/** Why a queued job has not started, as the queue sees it now. */
export const WAIT_REASONS = ['next', 'behind', 'provider_off', 'backends_off', 'no_backend_online', 'model_unavailable', 'no_worker'] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

export const QueuePlace = Type.Object({
  /** Jobs of the same provider that start before this one. */
  position: Type.Integer({ minimum: 0 }),
  reason: Type.Enum(WAIT_REASONS),
  /** The reason in words: "behind 3 jobs", "no backend has sd_xl_base_1.0.safetensors online", "flux is switched off". */
  message: Type.String(),
});
export type QueuePlace = Static<typeof QueuePlace>;

export const Job = Type.Object({
  id: Type.String(),
  provider: Type.Enum(PROVIDERS),
  kind: Type.Enum(JOB_KINDS),
  status: Type.Enum(JOB_STATUSES),
  progress: JobProgress,
  request: JobRequest,
  createdAt: Type.String(),
  startedAt: Type.Optional(Type.String()),
  finishedAt: Type.Optional(Type.String()),
  backend: Type.Optional(Type.String()),
  error: Type.Optional(JobError),
  assets: Type.Optional(Type.Array(AssetRef)),
  /** Id of the job this one re-runs (POST /api/jobs/:id/retry). */
  retryOf: Type.Optional(Type.String()),
  /** Who submitted it (team mode); members may change only their own jobs. */
  owner: Type.Optional(Type.String()),
  /** For a queued job read through the REST routes: its place in the queue and why it waits. */
  queue: Type.Optional(QueuePlace),
});
export type Job = Static<typeof Job>;

/** What BullMQ carries: the validated request; the job record in Redis holds the rest. */
export const QueuedJobData = Type.Object({
  id: Type.String(),
  request: JobRequest,
});
export type QueuedJobData = Static<typeof QueuedJobData>;

export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Default that makes a fresh job object; the server stores it before enqueueing. */
export function newJob(id: string, request: JobRequest, now: Date, retryOf?: string, owner?: string): Job {
  return {
    id,
    provider: request.provider,
    kind: request.kind,
    status: 'queued',
    progress: { percent: 0 },
    request,
    createdAt: now.toISOString(),
    ...(retryOf ? { retryOf } : {}),
    ...(owner ? { owner } : {}),
  };
}
