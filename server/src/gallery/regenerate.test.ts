import { describe, expect, it } from 'vitest';
import type { Asset } from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import { regenerateRequest } from './regenerate.js';

const asset = (meta: Asset['meta']): Asset => ({
  id: 'a1',
  type: 'image',
  fileName: 'x.png',
  relPath: '2026-11-25/x.png',
  size: 1,
  mimeType: 'image/png',
  createdAt: '2026-11-25T00:00:00.000Z',
  url: '/api/assets/a1/file',
  thumbUrl: '/api/assets/a1/thumb',
  meta,
});

describe('regenerateRequest from metadata (the job record is gone)', () => {
  it('rebuilds a ComfyUI request with its sampler settings and LoRAs', () => {
    const request = regenerateRequest(
      asset({ provider: 'comfyui', prompt: 'ink fox', model: 'sd_xl_base_1.0.safetensors', seed: 7, steps: 20, width: 1001, loras: 'style/ink, wash.safetensors:0.65, add_detail.safetensors:1' }),
      null,
      undefined,
    );
    expect(request).toEqual({
      provider: 'comfyui',
      kind: 'image',
      prompt: 'ink fox',
      model: 'sd_xl_base_1.0.safetensors',
      params: {
        seed: 7,
        steps: 20,
        loras: [
          { name: 'style/ink, wash.safetensors', strength: 0.65 },
          { name: 'add_detail.safetensors', strength: 1 },
        ],
      },
    });
  });

  it('drops LoRAs the request schema would refuse, and refuses metadata without a prompt', () => {
    const request = regenerateRequest(asset({ provider: 'comfyui', prompt: 'x', loras: 'a.safetensors:99' }), null, 5);
    expect(request).toEqual({ provider: 'comfyui', kind: 'image', prompt: 'x', params: { seed: 5 } });
    expect(() => regenerateRequest(asset({ provider: 'comfyui' }), null, undefined)).toThrow(HttpError);
  });
});
