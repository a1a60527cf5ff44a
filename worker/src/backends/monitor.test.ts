import { describe, expect, it } from 'vitest';
import { comboOptions, inputSpec, isSimulated } from './monitor.js';

describe('object_info parsing', () => {
  it('reads both combo encodings', () => {
    expect(comboOptions([['a.safetensors', 'b.safetensors'], { tooltip: 't' }])).toEqual(['a.safetensors', 'b.safetensors']);
    expect(comboOptions(['COMBO', { options: ['euler', 'ddim'], multiselect: false }])).toEqual(['euler', 'ddim']);
    expect(comboOptions(['INT', { default: 1 }])).toEqual([]);
    expect(comboOptions(undefined)).toEqual([]);
  });

  it('finds an input of a class in an /object_info/{Class} answer', () => {
    const info = { KSampler: { input: { required: { sampler_name: [['euler'], {}] } } } };
    expect(comboOptions(inputSpec(info, 'KSampler', 'sampler_name'))).toEqual(['euler']);
    expect(inputSpec({}, 'KSampler', 'sampler_name')).toBeUndefined();
  });

  it('labels a fake as simulated', () => {
    expect(isSimulated({ system: { simulated: true } })).toBe(true);
    expect(isSimulated({ system: { argv: ['fake-comfyui', '--port', '1'] } })).toBe(true);
    expect(isSimulated({ system: { argv: ['main.py'] } })).toBe(false);
  });
});
