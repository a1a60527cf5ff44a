/** How the picker names the catalogue's folders and families (keys as GET /api/models has them). */
export const FOLDER_LABELS: Readonly<Record<string, string>> = {
  checkpoints: 'Checkpoints',
  diffusion_models: 'Diffusion models',
  loras: 'LoRAs',
  vae: 'VAE',
  controlnet: 'ControlNet',
  clip_vision: 'CLIP vision',
  text_encoders: 'Text encoders',
  upscale_models: 'Upscalers',
  ipadapter: 'IP-Adapter',
  video: 'Video',
};

/** Every folder, in the catalogue's order: the chips of a picker that allows them all. */
export const ALL_FOLDERS: readonly string[] = Object.keys(FOLDER_LABELS);

export const FAMILY_LABELS: Readonly<Record<string, string>> = {
  sd15: 'SD1.5',
  sdxl: 'SDXL',
  sd3: 'SD3',
  flux: 'FLUX',
  svd: 'SVD',
  unknown: 'Unknown',
};

export const FAMILIES: readonly string[] = Object.keys(FAMILY_LABELS);

export function folderLabel(key: string): string {
  return FOLDER_LABELS[key] ?? key;
}

export function familyLabel(key: string): string {
  return FAMILY_LABELS[key] ?? key;
}
