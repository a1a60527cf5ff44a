// Public API of the protocol-faithful fake ComfyUI server (see /work/shared/protocols/comfyui.md).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { listen } from '../bfl/http.js';
import { App } from './app.js';
import { jsonClone } from './py.js';
import { requestHandler, upgradeHandler } from './server.js';

export interface FakeComfyOptions {
  port?: number; // 0 = random free port (default 0)
  host?: string; // default '127.0.0.1'
  rootDir?: string; // base dir for output/input/temp; default: a fresh mkdtemp dir
  stepMs?: number; // time per sampler step, default 20
  /**
   * Time a model loader node (CheckpointLoaderSimple, UNETLoader, ...) takes when it really executes,
   * i.e. when its output is not served from ComfyUI's node cache; default 0. As with the classic cache of
   * v0.3.64, a prompt reusing the previous prompt's model does not pay it; one that switches model does.
   */
  loadMs?: number;
  checkpoints?: string[]; // shorthand for models.checkpoints (wins over it)
  /**
   * Model files per folder key (relative paths with `/`), as GET /models/{folder} and the loaders' combos
   * list them. A folder given replaces its default list (DEFAULT_MODELS); a key core ComfyUI does not know
   * (e.g. `ipadapter`) is added to GET /models, as a custom node pack would. The legacy aliases `unet` and
   * `clip` are refused: ComfyUI answers 404 for them (use diffusion_models / text_encoders).
   */
  models?: Record<string, string[]>;
  windowsPaths?: boolean; // list relative paths with backslashes and report os "nt", like ComfyUI on Windows
  previews?: boolean; // send binary preview frames during sampling (like --preview-method auto); default true
  strictPromptId?: boolean; // newer-server behaviour: prompt_id must be lowercase canonical UUID; default true
  version?: string; // system_stats comfyui_version, default '0.3.64'
  /**
   * `user:password`: behave like ComfyUI behind a reverse proxy (nginx) that wants HTTP basic auth: 401 with
   * `WWW-Authenticate` for an HTTP request or WebSocket upgrade without it. ComfyUI itself has no auth.
   */
  basicAuth?: string;
  /**
   * Custom node packs to simulate as installed. `ipadapter`: ComfyUI_IPAdapter_plus (IPAdapterUnifiedLoader,
   * IPAdapter) and its `ipadapter` model folder. Default none: a stock ComfyUI.
   */
  customNodes?: Array<'ipadapter'>;
}
export interface FakeComfyFaults {
  executionError?: { nodeType?: string; message?: string }; // next prompt fails at runtime at that node type (default KSampler)
  dropWsAfterSteps?: number; // during the next prompt, terminate every open WS connection after N sampler steps
  slowStartMs?: number; // delay before a picked-up prompt starts executing
  refuse?: boolean; // 503 for every HTTP request, WS upgrades rejected
  validationError?: boolean; // next POST /prompt answers 400 prompt_outputs_failed_validation
}
export interface FakeComfyStats {
  promptsSubmitted: number;
  promptsExecuted: number;
  interrupts: number;
  uploads: number;
  /** Total time spent executing prompts (pick-up → `executing{node:null}`), for benchmarks. */
  executionMs: number;
  /** Loader executions that paid `loadMs` (loaders served from the node cache are not counted). */
  modelLoads: number;
  /** Model file(s) of the last loader that executed (`a+b` for multi-file CLIP loaders), or null. */
  loadedModel: string | null;
}
export interface FakeComfy {
  url: string;
  port: number;
  rootDir: string;
  faults: FakeComfyFaults;
  stats: FakeComfyStats;
  history(): Record<string, unknown>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_CHECKPOINTS = ['sd_xl_base_1.0.safetensors', 'v1-5-pruned-emaonly.safetensors'];
export const DEFAULT_TEXT_ENCODERS = ['clip_g.safetensors', 'clip_l.safetensors', 't5xxl_fp16.safetensors'];
/** What the fake's model folders hold unless FakeComfyOptions.models says otherwise; other folders are empty. */
export const DEFAULT_MODELS: Readonly<Record<string, readonly string[]>> = {
  checkpoints: DEFAULT_CHECKPOINTS,
  diffusion_models: ['flux1-dev.safetensors'],
  text_encoders: DEFAULT_TEXT_ENCODERS,
  vae: ['ae.safetensors', 'sdxl_vae.safetensors'],
  loras: ['add_detail.safetensors', 'style/ink_wash_sdxl.safetensors'],
  clip_vision: ['clip_vision_h.safetensors'],
  upscale_models: ['4x-UltraSharp.pth'],
};
/** ControlNet files of SD1.5 and SDXL (named as their families' usual downloads), for tests and the demo (cli.ts). */
export const CONTROLNET_MODELS = ['control_v11p_sd15_canny.pth', 'controlnet-canny-sdxl-1.0.safetensors', 'diffusers_xl_depth_mid.safetensors'];
/** The model folder each custom node pack registers, and what it holds by default. */
const PACK_FOLDERS: Record<string, Record<string, string[]>> = {
  ipadapter: { ipadapter: ['ip-adapter_sd15.safetensors', 'ip-adapter_sdxl_vit-h.safetensors'] },
};
const LEGACY_FOLDERS = ['unet', 'clip'];

function resolveModels(options: FakeComfyOptions): Record<string, string[]> {
  const legacy = Object.keys(options.models ?? {}).filter((k) => LEGACY_FOLDERS.includes(k));
  if (legacy.length > 0) throw new Error(`fake ComfyUI: model folder "${legacy[0]}" is a legacy alias; use diffusion_models / text_encoders`);
  const models: Record<string, string[]> = {};
  for (const [k, v] of Object.entries({ ...DEFAULT_MODELS, ...options.models })) models[k] = [...v];
  for (const pack of options.customNodes ?? []) {
    for (const [k, v] of Object.entries(PACK_FOLDERS[pack] ?? {})) models[k] ??= [...v];
  }
  if (options.checkpoints) models.checkpoints = [...options.checkpoints];
  return models;
}

export async function startFakeComfy(options: FakeComfyOptions = {}): Promise<FakeComfy> {
  const host = options.host ?? '127.0.0.1';
  const created = options.rootDir === undefined;
  const rootDir = path.resolve(options.rootDir ?? (await mkdtemp(path.join(os.tmpdir(), 'fake-comfyui-'))));
  await mkdir(rootDir, { recursive: true });
  const app = new App({
    host, rootDir,
    stepMs: options.stepMs ?? 20,
    loadMs: options.loadMs ?? 0,
    models: resolveModels(options),
    windowsPaths: options.windowsPaths ?? false,
    previews: options.previews ?? true,
    strictPromptId: options.strictPromptId ?? true,
    version: options.version ?? '0.3.64',
    maxUploadSize: 100 * 1024 * 1024,
    basicAuth: options.basicAuth ?? null,
    customNodes: [...(options.customNodes ?? [])],
  });
  await app.files.init();

  let server: Server | null = null;
  const open = async (port: number): Promise<number> => {
    const s = createServer({ maxHeaderSize: 64 * 1024 }, requestHandler(app));
    s.on('upgrade', upgradeHandler(app));
    s.on('clientError', (_e, socket) => socket.destroy());
    const bound = await listen(s, port, host);
    server = s;
    return bound;
  };
  app.port = await open(options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const stop = async (): Promise<void> => {
    const s = server;
    if (!s) return;
    server = null;
    app.hub.terminateAll();
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  };

  let closed = false;
  const fake: FakeComfy = {
    url: `http://${urlHost}:${app.port}`,
    port: app.port,
    rootDir,
    get faults(): FakeComfyFaults {
      return app.faults;
    },
    set faults(f: FakeComfyFaults) {
      app.faults = f;
    },
    stats: app.stats,
    history: () => jsonClone(Object.fromEntries(app.queue.history)) as Record<string, unknown>,
    stop,
    start: async () => {
      if (closed) throw new Error('fake ComfyUI was closed');
      if (!server) await open(app.port);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await stop();
      await app.executor.close();
      app.hub.close();
      if (created) await rm(rootDir, { recursive: true, force: true });
    },
  };
  return fake;
}
