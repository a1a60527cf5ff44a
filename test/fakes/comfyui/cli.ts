// Standalone runner: `npm run fake:comfyui` (node --import tsx test/fakes/comfyui/cli.ts).
// Env: PORT (default 8188), HOST (default 127.0.0.1), FAKE_CHECKPOINTS (comma list), STEP_MS, LOAD_MS (what
// a model loader costs when it really runs, i.e. on the first prompt and whenever a prompt switches model),
// FAKE_ROOT_DIR (keep files in a known dir instead of a fresh temp dir), FAKE_MODELS_<FOLDER> (comma list
// of the files of one model folder, e.g. FAKE_MODELS_LORAS=a.safetensors,style/b.safetensors or
// FAKE_MODELS_DIFFUSION_MODELS=flux1-schnell.safetensors; an empty value empties the folder), FAKE_CUSTOM_NODES
// (comma list of simulated custom node packs, e.g. `ipadapter` for ComfyUI_IPAdapter_plus).
import { closeOnSignals, envNumber } from '../cli-support.js';
import { CONTROLNET_MODELS, DEFAULT_CHECKPOINTS, startFakeComfy } from './index.js';

const env = process.env;
const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
// The demo also lists an SVD checkpoint so the Video mode has a model (the tests' default fake has none).
const checkpoints = env.FAKE_CHECKPOINTS !== undefined ? list(env.FAKE_CHECKPOINTS) : [...DEFAULT_CHECKPOINTS, 'svd_xt.safetensors'];
// The demo has ControlNets to pick (the tests' default fake has none); FAKE_MODELS_CONTROLNET= empties the folder.
const models: Record<string, string[]> = {
  controlnet: CONTROLNET_MODELS,
  ...Object.fromEntries(
    Object.entries(env).flatMap(([k, v]) => (k.startsWith('FAKE_MODELS_') && v !== undefined ? [[k.slice('FAKE_MODELS_'.length).toLowerCase(), list(v)]] : [])),
  ),
};
const stepMs = envNumber('STEP_MS');
const loadMs = envNumber('LOAD_MS');
const customNodes = list(env.FAKE_CUSTOM_NODES ?? '').filter((p): p is 'ipadapter' => p === 'ipadapter');

const fake = await startFakeComfy({
  port: envNumber('PORT') ?? 8188,
  host: env.HOST ?? '127.0.0.1',
  ...(checkpoints && checkpoints.length > 0 ? { checkpoints } : {}),
  ...(Object.keys(models).length > 0 ? { models } : {}),
  ...(stepMs !== undefined ? { stepMs } : {}),
  ...(loadMs !== undefined ? { loadMs } : {}),
  ...(env.FAKE_ROOT_DIR ? { rootDir: env.FAKE_ROOT_DIR } : {}),
  ...(customNodes.length > 0 ? { customNodes } : {}),
});

console.log(`SIMULATED ComfyUI (protocol fake) listening on ${fake.url} — no real GPU work is done`);
console.log(`  files: ${fake.rootDir} (output/, input/, temp/)`);

closeOnSignals('ComfyUI', fake);
