import { describe, expect, it } from 'vitest';
import { friendlyModelLabels, friendlyModelName } from './modelNames';

describe('friendly model names', () => {
  it('drops the folders and the model-file extension', () => {
    expect(friendlyModelName('sd_xl_base_1.0.safetensors')).toBe('sd_xl_base_1.0');
    expect(friendlyModelName('SDXL/juggernaut_v9.ckpt')).toBe('juggernaut_v9');
    expect(friendlyModelName('flux\\flux1-dev.sft')).toBe('flux1-dev');
    expect(friendlyModelName('flux-pro-1.1-ultra')).toBe('flux-pro-1.1-ultra');
    expect(friendlyModelName('v0-pro')).toBe('v0-pro');
    expect(friendlyModelName('.safetensors')).toBe('.safetensors');
  });

  it('keeps the folder where two files would read the same', () => {
    const labels = friendlyModelLabels(['a/model.safetensors', 'b/model.safetensors', 'dreamshaper_8.safetensors']);
    expect([...labels.values()]).toEqual(['a/model', 'b/model', 'dreamshaper_8']);
  });
});
