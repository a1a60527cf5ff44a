import type { ModelInfo } from '@orchestrator/shared';
import type { BackendRegistry } from './backend-registry.js';

/** `sd_xl_base_1.0.safetensors` → `sd_xl_base_1.0`, `SDXL/x.ckpt` → `x`. */
export function displayName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return base.replace(/\.(safetensors|ckpt|pt|pth|bin|gguf|sft)$/i, '');
}

/** Models as the backends report them, merged by file name (the id ComfyUI uses). */
export class ModelCatalog {
  constructor(private readonly backends: BackendRegistry) {}

  async list(): Promise<ModelInfo[]> {
    const byId = new Map<string, ModelInfo>();
    for (const view of await this.backends.list()) {
      for (const file of view.record?.checkpoints ?? []) {
        let model = byId.get(file);
        if (!model) {
          model = { id: file, name: displayName(file), family: 'unknown', folder: 'checkpoints', backends: [] };
          byId.set(file, model);
        }
        if (!model.backends.includes(view.status.id)) model.backends.push(view.status.id);
      }
    }
    return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<ModelInfo | null> {
    return (await this.list()).find((m) => m.id === id) ?? null;
  }
}
