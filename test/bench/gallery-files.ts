/*
 * Writes a gallery of small but real files for the gallery benchmark: ComfyUI PNGs (the `prompt`
 * graph), some of them ours (the `orchestrator` chunk and a JSON sidecar, as the worker writes them),
 * A1111 PNGs (the `parameters` infotext), JPEGs with an EXIF UserComment and WebPs (some animated) with
 * ComfyUI's EXIF strings. One folder per "day", modification times spread over a year.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { a1111Infotext, comfyGraph, jpeg, pngWithText, webp } from '../../server/src/testing/gallery-fixtures.js';
import { outputFileName } from '@orchestrator/shared';

const WORDS = (
  'lighthouse dusk fox snow forest castle portrait woman man child dragon robot city night neon rain street ' +
  'mountain lake river ocean waves sunset sunrise desert cactus flower garden rose tulip cat dog horse bird eagle ' +
  'owl wolf bear tiger lion elephant whale shark octopus jellyfish coral reef island beach palm tree oak pine ' +
  'winter summer autumn spring fog mist storm thunder lightning cloud sky star galaxy nebula planet moon sun ' +
  'astronaut spaceship alien cyberpunk steampunk fantasy medieval knight wizard witch elf dwarf orc goblin ' +
  'temple ruins cathedral bridge tower skyscraper village farm barn cottage cabin kitchen library cafe bakery ' +
  'market train station airport harbor boat ship sailboat submarine car motorcycle bicycle bus truck tram ' +
  'painting watercolor oil sketch charcoal pencil ink anime manga cartoon photo photograph cinematic dramatic ' +
  'moody vibrant pastel monochrome golden silver crystal glass marble wooden stone metal velvet silk leather ' +
  'detailed intricate minimalist abstract surreal realistic hyperrealistic volumetric lighting bokeh macro ' +
  'portrait landscape closeup wide aerial underwater microscopic ancient futuristic retro vintage modern gothic'
).split(' ');
const MODELS = [
  'sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors', 'flux1-dev.safetensors', 'flux1-schnell.safetensors',
  'juggernautXL_v9.safetensors', 'dreamshaper_8.safetensors', 'realisticVision_v60.safetensors', 'sd3.5_large.safetensors',
  'animagineXL_v31.safetensors', 'pony_v6.safetensors', 'wan2.1_t2v_14B.safetensors', 'hunyuan_video.safetensors',
];
const NEGATIVES = ['blurry, lowres', 'text, watermark', 'bad anatomy, extra fingers', 'jpeg artifacts', ''];

/** Deterministic PRNG (mulberry32), so every run writes the same gallery. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const GALLERY_WORDS = WORDS;
export const GALLERY_MODELS = MODELS;

/** Writes `count` files under `root`; returns how many of each kind. */
export function writeGallery(root: string, count: number): Record<string, number> {
  const rand = rng(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const kinds: Record<string, number> = { comfy: 0, ours: 0, a1111: 0, jpeg: 0, webp: 0 };
  // The first file's time: a year ago, or earlier for a large gallery, so the newest (5 minutes apart) is not in the future.
  const yearAgo = Date.now() - Math.max(365 * 86_400_000, count * 300_000);
  const perDay = 1000;
  for (let i = 0; i < count; i++) {
    const day = Math.floor(i / perDay);
    const dir = path.join(root, `day-${String(day).padStart(3, '0')}`, i % 10 === 0 ? 'batch' : '');
    if (i % perDay === 0 || i % perDay === 10) mkdirSync(dir, { recursive: true });
    const words = Array.from({ length: 8 + Math.floor(rand() * 9) }, () => pick(WORDS));
    const prompt = words.join(' ');
    const model = pick(MODELS);
    const negative = pick(NEGATIVES);
    const seed = Math.floor(rand() * 2 ** 32);
    const r = rand();
    let file: string;
    let bytes: Buffer;
    if (r < 0.45) {
      kinds.comfy!++;
      file = `ComfyUI_${String(i).padStart(6, '0')}_.png`;
      bytes = pngWithText(8, 8, { prompt: JSON.stringify(comfyGraph({ prompt, negative, seed, model })) });
    } else if (r < 0.7) {
      kinds.ours!++;
      const meta = { jobId: `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`, provider: 'comfyui', model, prompt, negativePrompt: negative, seed, steps: 20, cfg: 7, sampler: 'euler', scheduler: 'normal' };
      file = outputFileName({ createdAt: new Date(yearAgo + i * 300_000), jobId: meta.jobId, prompt, seed, index: 1, count: 1, ext: '.png' }); // as the worker names them
      bytes = pngWithText(8, 8, { orchestrator: JSON.stringify(meta), prompt: JSON.stringify(comfyGraph({ prompt, negative, seed, model })) });
      writeFileSync(path.join(dir, `${file}.json`), JSON.stringify({ version: 1, createdAt: new Date(yearAgo + i * 300_000).toISOString(), meta }));
    } else if (r < 0.85) {
      kinds.a1111!++;
      file = `${String(i).padStart(5, '0')}-${seed}.png`;
      bytes = pngWithText(8, 8, { parameters: a1111Infotext({ prompt, negative, seed, model: model.replace('.safetensors', '') }) });
    } else if (r < 0.95) {
      kinds.jpeg!++;
      file = `photo_${i}.jpg`;
      bytes = jpeg(64, 48, { userComment: a1111Infotext({ prompt, negative, seed }) });
    } else {
      kinds.webp!++;
      file = `ComfyUI_${String(i).padStart(6, '0')}_.webp`;
      bytes = webp(32, 32, { frames: i % 2 ? 8 : 1, exif: [[0x0110, `prompt:${JSON.stringify(comfyGraph({ prompt, seed, model }))}`]] });
    }
    const full = path.join(dir, file);
    writeFileSync(full, bytes);
    const t = new Date(yearAgo + i * 300_000);
    utimesSync(full, t, t);
  }
  return kinds;
}
