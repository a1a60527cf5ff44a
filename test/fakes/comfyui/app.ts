// State container of one fake server: queue, history, socket hub, executor, files, faults.
import os from 'node:os';
import { Executor } from './executor.js';
import { FileStore } from './files.js';
import type { FakeComfyFaults, FakeComfyStats } from './index.js';
import { PromptQueue } from './queue.js';
import type { ValidateEnv } from './validate.js';
import { WsHub } from './ws.js';

export interface ResolvedOptions {
  host: string;
  rootDir: string;
  stepMs: number;
  /** Cost of a model loader that really executes (not served from the node cache). */
  loadMs: number;
  /** Files per model folder key, relative paths with `/` (see FakeComfyOptions.models). */
  models: Record<string, string[]>;
  /** Relative paths come out with backslashes, as on a ComfyUI running on Windows. */
  windowsPaths: boolean;
  previews: boolean;
  strictPromptId: boolean;
  version: string;
  maxUploadSize: number;
  /** `user:password` a reverse proxy in front wants as HTTP basic auth (null: open, as ComfyUI itself is). */
  basicAuth: string | null;
  /** Custom node packs installed (see FakeComfyOptions.customNodes). */
  customNodes: string[];
}

export const MODEL_FOLDERS = [
  'checkpoints', 'configs', 'loras', 'vae', 'text_encoders', 'diffusion_models', 'clip_vision', 'style_models',
  'embeddings', 'diffusers', 'vae_approx', 'controlnet', 'gligen', 'upscale_models', 'custom_nodes', 'hypernetworks',
  'photomaker', 'classifiers', 'model_patches', 'audio_encoders',
];

function versionAtLeast(v: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = v.split('.').map((x) => parseInt(x, 10) || 0);
  return a > major || (a === major && b >= minor);
}

export class App {
  readonly files: FileStore;
  readonly hub: WsHub;
  readonly queue: PromptQueue;
  readonly executor: Executor;
  /** server.number: priority counter for prompts posted without `number`. */
  counter = 0;
  port = 0;
  faults: FakeComfyFaults = {};
  readonly stats: FakeComfyStats = {
    promptsSubmitted: 0, promptsExecuted: 0, interrupts: 0, uploads: 0, executionMs: 0, modelLoads: 0, loadedModel: null,
  };

  constructor(readonly opts: ResolvedOptions) {
    this.files = new FileStore(opts.rootDir);
    this.hub = new WsHub({
      queueRemaining: () => this.queue.remaining(),
      reconnectNode: (sid) => (this.executor.clientId === sid ? this.executor.lastNodeId : null),
      serverFeatures: () => this.features(),
    });
    this.queue = new PromptQueue(() => this.hub.send('status', { status: this.queueInfo() }, null));
    this.executor = new Executor({
      queue: this.queue, hub: this.hub, files: this.files, stepMs: opts.stepMs, loadMs: opts.loadMs, previews: opts.previews,
      faults: () => this.faults, stats: this.stats,
    });
  }

  queueInfo(): Record<string, unknown> {
    return { exec_info: { queue_remaining: this.queue.remaining() } };
  }

  features(): Record<string, unknown> {
    return { supports_preview_metadata: true, max_upload_size: this.opts.maxUploadSize };
  }

  env(checkpointsOverride?: string[]): ValidateEnv {
    return {
      models: (folder) => this.modelList(folder, folder === 'checkpoints' ? checkpointsOverride : undefined) ?? [],
      files: this.files,
      packs: this.opts.customNodes,
      newerErrors: versionAtLeast(this.opts.version, 0, 4),
    };
  }

  /** folder_paths.folder_names_and_paths keys: the core ones, then those a custom node registers (e.g. ipadapter). */
  modelFolders(): string[] {
    return [...MODEL_FOLDERS, ...Object.keys(this.opts.models).filter((k) => !MODEL_FOLDERS.includes(k))];
  }

  /** get_filename_list(folder): unique, sorted, OS separators; undefined for a key the server does not know. */
  modelList(folder: string, override?: string[]): string[] | undefined {
    if (!this.modelFolders().includes(folder)) return undefined;
    const files = (override ?? this.opts.models[folder] ?? []).map((f) => (this.opts.windowsPaths ? f.replaceAll('/', '\\') : f));
    return [...new Set(files)].sort();
  }

  systemStats(): Record<string, unknown> {
    const gib = 1024 ** 3;
    return {
      system: {
        os: this.opts.windowsPaths ? 'nt' : 'posix',
        ram_total: os.totalmem(),
        ram_free: os.freemem(),
        comfyui_version: this.opts.version,
        required_frontend_version: '1.27.10',
        installed_templates_version: '0.1.95',
        required_templates_version: '0.1.95',
        python_version: `3.12.3 (simulated by a Node ${process.version} protocol fake)`,
        pytorch_version: '2.8.0+simulated',
        embedded_python: false,
        argv: ['fake-comfyui', '--listen', this.opts.host, '--port', String(this.port), '--preview-method', this.opts.previews ? 'auto' : 'none'],
        simulated: true,
      },
      devices: [
        {
          name: 'Simulated GPU (fake ComfyUI)', type: 'cuda', index: 0,
          vram_total: 24 * gib, vram_free: 22 * gib, torch_vram_total: 2 * gib, torch_vram_free: 1.5 * gib,
        },
      ],
    };
  }
}
