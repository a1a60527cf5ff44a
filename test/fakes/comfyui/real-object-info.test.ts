// The fake's /object_info entries against the whole /object_info of a real ComfyUI 0.3.64
// (test/fixtures/real-comfyui-0.3.64/object_info.json, a copy of ../shared/protocols/…): every node the fake simulates must be the
// real node, spec for spec — encoding (legacy list-first vs V3 COMBO), defaults, ranges, steps,
// tooltips, input order, outputs, display name, category and module. Only the option lists that
// come from the machine's files (model folders, the input directory) may differ.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_DEFS, nodeInfo, type CatalogueEnv, type NodeDef } from './nodes.js';

const REAL_PATH = new URL('../../fixtures/real-comfyui-0.3.64/object_info.json', import.meta.url);
const REAL = JSON.parse(readFileSync(REAL_PATH, 'utf8')) as Record<string, Record<string, unknown>>;

/**
 * Nodes the fake simulates that the captured machine lacked: their modules failed to import there
 * (nodes_canny, nodes_upscale_model: see the dump's README), or they come from a custom node pack
 * (ComfyUI_IPAdapter_plus). Their specs were checked against the source instead.
 */
const NOT_IN_DUMP = new Set(['Canny', 'UpscaleModelLoader', 'ImageUpscaleWithModel', 'IPAdapterUnifiedLoader', 'IPAdapter']);

const env: CatalogueEnv = {
  models: () => ['model.safetensors'],
  files: { inputImages: () => ['example.png'] } as unknown as CatalogueEnv['files'],
};

/** The entry with the option lists that depend on the machine's files replaced by a marker. */
function normalize(entry: Record<string, unknown>, def: NodeDef): unknown {
  type Entry = { input?: Partial<Record<'required' | 'optional', Record<string, unknown[]>>> };
  const copy = JSON.parse(JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as Entry;
  for (const group of ['required', 'optional'] as const) {
    const specs = group === 'required' ? def.required : def.optional;
    for (const [name, spec] of Object.entries(specs ?? {})) {
      if (spec.k !== 'combo' || Array.isArray(spec.source)) continue;
      const input = copy.input?.[group]?.[name] as unknown[] | undefined;
      if (!input) continue;
      if (Array.isArray(input[0])) input[0] = ['<files>'];
      else if (input[0] === 'COMBO') (input[1] as Record<string, unknown>).options = ['<files>'];
    }
  }
  return copy;
}

describe('fake node specs mirror a real ComfyUI 0.3.64', () => {
  it('lists only nodes the real server has (or that are known to be missing from the dump)', () => {
    const unknown = NODE_DEFS.map((d) => d.name).filter((n) => !REAL[n] && !NOT_IN_DUMP.has(n));
    expect(unknown).toEqual([]);
    for (const n of NOT_IN_DUMP) expect(REAL[n], `${n} is in the dump now: compare it`).toBeUndefined();
  });

  for (const def of NODE_DEFS.filter((d) => REAL[d.name])) {
    it(`${def.name}: same object_info entry`, () => {
      // Bigints (KSampler's seed max) are exact in the real JSON only as a float; compare as numbers.
      const fake = JSON.parse(JSON.stringify(nodeInfo(def, env), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as Record<string, unknown>;
      expect(normalize(fake, def)).toEqual(normalize(REAL[def.name]!, def));
    });
  }
});
