import Type, { type Static } from 'typebox';
import { Text } from '../text.js';

/*
 * The parts of a ComfyUI job request beyond text-to-image (issue 14): img2img and inpainting start from
 * `inputImage` (+ `mask`), and these objects under `params` add ControlNets, a hires-fix pass, an
 * IP-Adapter, outpainting, or describe an upscale job. Names are fixed: clients rely on them.
 * A leaf module (typebox and text.ts only), so jobs.ts can use it without a cycle.
 */

/** An image a job takes as input: an upload id (POST /api/uploads) or a gallery asset id. */
export const IMAGE_ID_PATTERN = '^[A-Za-z0-9-]+$';
export const ImageId = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: IMAGE_ID_PATTERN, description });

export const MAX_CONTROLNETS = 4;

/** ControlNet preprocessors core ComfyUI has (Canny, comfy_extras.nodes_canny); `none`: the image is the hint. */
export const CONTROLNET_PREPROCESSORS = ['none', 'canny'] as const;
export type ControlNetPreprocessor = (typeof CONTROLNET_PREPROCESSORS)[number];

export const ControlNetRef = Type.Object(
  {
    model: Text({ minLength: 1, maxLength: 512, description: 'file in the controlnet folder, as ComfyUI lists it' }),
    image: ImageId('the control image (or the picture Canny draws the edges of): an upload or asset id'),
    strength: Type.Optional(Type.Number({ minimum: 0, maximum: 10, description: 'ControlNetApplyAdvanced strength (default 1)' })),
    startPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'when in the sampling it starts (default 0)' })),
    endPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'when it stops (default 1)' })),
    preprocessor: Type.Optional(Type.Enum(CONTROLNET_PREPROCESSORS, { description: 'canny: edges drawn from the image first (needs the Canny node)' })),
  },
  { additionalProperties: false },
);
export type ControlNetRef = Static<typeof ControlNetRef>;

export const HiresFix = Type.Object(
  {
    scale: Type.Number({ minimum: 1, maximum: 4, description: 'latent upscale factor of the second pass' }),
    denoise: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'of the second pass (default 0.5)' })),
    steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'of the second pass (default: the first pass’s)' })),
  },
  { additionalProperties: false },
);
export type HiresFix = Static<typeof HiresFix>;

/** IPAdapterUnifiedLoader's presets (ComfyUI_IPAdapter_plus). */
export const IPADAPTER_PRESETS = [
  'LIGHT - SD1.5 only (low strength)',
  'STANDARD (medium strength)',
  'VIT-G (medium strength)',
  'PLUS (high strength)',
  'PLUS FACE (portraits)',
  'FULL FACE - SD1.5 only (portraits stronger)',
] as const;

/** The custom nodes an IP-Adapter job needs on the backend (ComfyUI_IPAdapter_plus). */
export const IPADAPTER_NODES = ['IPAdapterUnifiedLoader', 'IPAdapter'] as const;

export const IpAdapterRef = Type.Object(
  {
    image: ImageId('the reference image: an upload or asset id'),
    weight: Type.Optional(Type.Number({ minimum: -1, maximum: 3, description: 'default 1' })),
    preset: Type.Optional(Type.Enum(IPADAPTER_PRESETS, { description: 'default "STANDARD (medium strength)"' })),
    startPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    endPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);
export type IpAdapterRef = Static<typeof IpAdapterRef>;

const Pad = (side: string) => Type.Optional(Type.Integer({ minimum: 0, maximum: 2048, multipleOf: 8, description: `pixels added on the ${side}` }));

/** Outpainting: the input image padded (ImagePadForOutpaint) and the new border painted in. */
export const Outpaint = Type.Object(
  {
    left: Pad('left'),
    top: Pad('top'),
    right: Pad('right'),
    bottom: Pad('bottom'),
    feathering: Type.Optional(Type.Integer({ minimum: 0, maximum: 512, description: 'soft edge into the old picture (default 40)' })),
  },
  { additionalProperties: false },
);
export type Outpaint = Static<typeof Outpaint>;

/** Upscale jobs (`workflow: "upscale"`); also the body of POST /api/assets/:id/upscale. */
export const UpscaleParams = Type.Object(
  {
    model: Type.Optional(Text({ minLength: 1, maxLength: 512, description: 'file in upscale_models; none: a plain lanczos resize' })),
    factor: Type.Optional(Type.Number({ minimum: 1, maximum: 8, description: "how many times larger (default: the model's own scale, else 2)" })),
  },
  { additionalProperties: false },
);
export type UpscaleParams = Static<typeof UpscaleParams>;

/** The built-in ComfyUI workflows a request may name instead of a saved custom one. */
export const BUILT_IN_WORKFLOWS = ['txt2img', 'upscale'] as const;
export function isBuiltInWorkflow(id: string | undefined): boolean {
  return id === undefined || (BUILT_IN_WORKFLOWS as readonly string[]).includes(id);
}

/** A slot's name in a custom workflow (a well-known one like `seed`, or the user's own like `blur_radius`). */
export const SLOT_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_]{0,63}$';
export const MAX_SLOTS = 200;

/** Values for a custom workflow's slots, by slot name. */
export const SlotValues = Type.Record(
  Type.String({ pattern: SLOT_NAME_PATTERN }),
  Type.Union([Text({ maxLength: 20000 }), Type.Number(), Type.Boolean()]),
  { maxProperties: MAX_SLOTS, additionalProperties: false, description: "a custom workflow's slot values by slot name, checked against the slot's input on the backend" },
);
export type SlotValues = Static<typeof SlotValues>;
