import type { FLUX_OUTPUT_FORMATS, FluxModel, V0Model } from '@orchestrator/shared';
import type { InputImage } from '../components/ImageInput/ImageInput';

/*
 * The FLUX and Site forms keep each field under its own key in useModeDrafts' `fields` (useDraftField).
 * Whatever fills those forms from elsewhere ("Use these settings", a dropped PNG) writes the same keys.
 */

export const FLUX_FIELDS = {
  model: 'flux.model',
  prompt: 'flux.prompt',
  aspectRatio: 'flux.aspectRatio',
  raw: 'flux.raw',
  outputFormat: 'flux.outputFormat',
  numbers: 'flux.numbers',
  image: 'flux.image',
} as const;

export const SITE_FIELDS = {
  prompt: 'site.prompt',
  systemPrompt: 'site.systemPrompt',
  model: 'site.model',
} as const;

/** FLUX numeric params as typed; blank means "let BFL choose". */
export type FluxNumberField = 'width' | 'height' | 'steps' | 'guidance' | 'imagePromptStrength' | 'seed' | 'safetyTolerance';
export const FLUX_NUMBER_FIELDS: readonly FluxNumberField[] = ['width', 'height', 'steps', 'guidance', 'imagePromptStrength', 'seed', 'safetyTolerance'];

export const FLUX_ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9', '9:21'] as const;

/** The FLUX form's fields, as a whole (for filling it in one go). */
export interface FluxFieldValues {
  model: FluxModel;
  prompt: string;
  aspectRatio?: string;
  raw?: boolean;
  outputFormat?: (typeof FLUX_OUTPUT_FORMATS)[number];
  numbers: Partial<Record<FluxNumberField, string>>;
  image?: InputImage | null;
}

export interface SiteFieldValues {
  prompt: string;
  systemPrompt?: string;
  model?: V0Model;
}
