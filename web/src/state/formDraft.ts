import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

/** A LoRA row of the form: the file as ComfyUI's LoraLoader names it, and its strength as typed. */
export interface LoraDraft {
  name: string;
  strength: string;
}

/** An image a job starts from (an upload or a gallery asset) with a URL to preview it. */
export interface ImageRefDraft {
  id: string;
  url: string;
  label: string;
}

/** One ControlNet row: its file, control image, preprocessor and settings as typed. */
export interface ControlNetDraft {
  model: string;
  image: ImageRefDraft | null;
  preprocessor: 'none' | 'canny';
  strength: string;
  start: string;
  end: string;
}

/** What an image job does with its input picture. */
export type ImageMode = 'img2img' | 'inpaint' | 'outpaint';

/** Where the chosen model lives; '' until the picker says (the server then looks it up). */
export type ModelFolder = '' | 'checkpoints' | 'diffusion_models';

/**
 * The generation form as the user left it. Numbers are kept as the text typed, so a half-typed
 * value survives a reload and validation can say what is wrong with it.
 */
export interface FormDraft {
  model: string;
  modelFolder: ModelFolder;
  prompt: string;
  negativePrompt: string;
  advancedOpen: boolean;
  seed: string;
  randomSeed: boolean;
  steps: string;
  cfg: string;
  sampler: string;
  scheduler: string;
  width: string;
  height: string;
  batchSize: string;
  /** Jobs one press of Generate queues, each with its own seed (lib/jobCount). */
  jobCount: string;
  /** SD3 only (ModelSamplingSD3). */
  shift: string;
  /** FLUX (local) only, in place of cfg. */
  guidance: string;
  /** SD3: the checkpoint has its text encoders built in, or they are loaded from separate files. */
  sd3Encoders: 'checkpoint' | 'separate';
  /** Text-encoder files (ComfyUI `text_encoders` folder) for FLUX local and SD3 from separate files. */
  t5xxl: string;
  clipL: string;
  clipG: string;
  /** VAE file (ComfyUI `vae` folder) for FLUX local. */
  vae: string;
  /** LoRAs applied in this order (GenerationParams.loras). */
  loras: LoraDraft[];
  lorasOpen: boolean;
  /** img2img / inpaint / outpaint: the picture to start from (none: text to image). */
  inputImage: ImageRefDraft | null;
  imageMode: ImageMode;
  denoise: string;
  /** Keep the picture's own size (else it is scaled to width × height of Advanced). */
  keepSize: boolean;
  /** Inpaint: the painted mask, uploaded (white = repaint). */
  mask: ImageRefDraft | null;
  outpaint: { left: string; top: string; right: string; bottom: string; feathering: string };
  imageOpen: boolean;
  controlNets: ControlNetDraft[];
  controlNetsOpen: boolean;
  hires: { enabled: boolean; scale: string; denoise: string; steps: string };
  ipAdapter: { enabled: boolean; image: ImageRefDraft | null; weight: string; preset: string };
  extrasOpen: boolean;
}

export const DEFAULT_DRAFT: FormDraft = {
  model: '',
  modelFolder: '',
  prompt: '',
  negativePrompt: '',
  advancedOpen: false,
  seed: '0',
  randomSeed: true,
  steps: '20',
  cfg: '7',
  sampler: 'euler',
  scheduler: 'normal',
  width: '1024',
  height: '1024',
  batchSize: '1',
  jobCount: '1',
  shift: '3',
  guidance: '3.5',
  sd3Encoders: 'checkpoint',
  // The file names of the ComfyUI examples (and of the FLUX template's defaults).
  t5xxl: 't5xxl_fp16.safetensors',
  clipL: 'clip_l.safetensors',
  clipG: 'clip_g.safetensors',
  vae: 'ae.safetensors',
  loras: [],
  lorasOpen: false,
  inputImage: null,
  imageMode: 'img2img',
  denoise: '0.75',
  keepSize: true,
  mask: null,
  outpaint: { left: '0', top: '0', right: '0', bottom: '0', feathering: '40' },
  imageOpen: false,
  controlNets: [],
  controlNetsOpen: false,
  hires: { enabled: false, scale: '1.5', denoise: '0.5', steps: '' },
  ipAdapter: { enabled: false, image: null, weight: '1', preset: 'STANDARD (medium strength)' },
  extrasOpen: false,
};

interface FormDraftState {
  draft: FormDraft;
  update: (patch: Partial<FormDraft>) => void;
  reset: () => void;
}

export const useFormDraft = create<FormDraftState>()(
  persist(
    (set) => ({
      draft: DEFAULT_DRAFT,
      update: (patch) => set((s) => ({ draft: { ...s.draft, ...patch } })),
      reset: () => set((s) => ({ draft: { ...DEFAULT_DRAFT, model: s.draft.model, modelFolder: s.draft.modelFolder } })),
    }),
    {
      name: 'orchestrator.form',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      // A draft saved by an older build may lack newer fields.
      merge: (persisted, current) => {
        const draft = { ...DEFAULT_DRAFT, ...((persisted as Partial<FormDraftState> | undefined)?.draft ?? {}) };
        return {
          ...current,
          draft: {
            ...draft,
            loras: Array.isArray(draft.loras) ? draft.loras : [],
            controlNets: Array.isArray(draft.controlNets) ? draft.controlNets : [],
            outpaint: { ...DEFAULT_DRAFT.outpaint, ...draft.outpaint },
            hires: { ...DEFAULT_DRAFT.hires, ...draft.hires },
            ipAdapter: { ...DEFAULT_DRAFT.ipAdapter, ...draft.ipAdapter },
          },
        };
      },
    },
  ),
);
