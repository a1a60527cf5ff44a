/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke into loosely-typed protocol JSON */
// Helpers for the fake's own tests: a recording WebSocket client, HTTP shortcuts, sample graphs.
import { WebSocket } from 'ws';

export type Frame = { type: string; data: Record<string, any> } | { type: 'BINARY'; bytes: Buffer };

export class WsClient {
  readonly frames: Frame[] = [];
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer, isBinary: boolean) => {
      this.frames.push(isBinary ? { type: 'BINARY', bytes: Buffer.from(d) } : (JSON.parse(d.toString()) as Frame));
      this.waiters.splice(0).forEach((w) => w());
    });
    ws.on('close', () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  static connect(baseUrl: string, clientId?: string, headers?: Record<string, string>, path = '/ws'): Promise<WsClient> {
    const q = clientId === undefined ? '' : `?clientId=${encodeURIComponent(clientId)}`;
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}${q}`, headers ? { headers } : {});
    const c = new WsClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected-response ${res.statusCode}`)));
    });
  }

  /** Resolve with the first frame (from index `from`) matching `pred`. */
  async waitFor(pred: (f: Frame) => boolean, timeoutMs = 10000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.slice(from).find(pred);
      if (hit) return hit;
      if (this.closed) throw new Error('socket closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting; got: ${this.types().join(',')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Wait for the completion signal `executing{node:null, prompt_id}`. */
  done(promptId: string, timeoutMs = 10000): Promise<Frame> {
    return this.waitFor((f) => f.type === 'executing' && f.data.node === null && f.data.prompt_id === promptId, timeoutMs);
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if (!this.closed) throw new Error('socket did not close');
  }

  types(): string[] {
    return this.frames.map((f) => f.type);
  }

  ofType(type: string): Array<{ type: string; data: Record<string, any> }> {
    return this.frames.filter((f) => f.type === type) as Array<{ type: string; data: Record<string, any> }>;
  }

  send(obj: unknown): void {
    this.ws.send(JSON.stringify(obj));
  }

  close(): void {
    this.ws.terminate();
  }
}

export async function postJson(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

export async function getJson(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { headers });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers, text };
}

export interface Txt2ImgOpts {
  seed?: number;
  steps?: number;
  width?: number;
  height?: number;
  batch?: number;
  prefix?: string;
  ckpt?: string;
}

/** The canonical SD1.5 default workflow (§3.3). */
export function txt2img(o: Txt2ImgOpts = {}): Record<string, any> {
  return {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: o.ckpt ?? 'v1-5-pruned-emaonly.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: o.width ?? 64, height: o.height ?? 48, batch_size: o.batch ?? 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a red fox', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: o.seed ?? 8566257, steps: o.steps ?? 4, cfg: 8.0, sampler_name: 'euler', scheduler: 'normal', denoise: 1.0,
        model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: o.prefix ?? 'ComfyUI', images: ['8', 0] } },
  };
}

/** Model-free graph of §3.2. */
export function emptyImageGraph(color = 16711680, prefix = 'smoke'): Record<string, any> {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 16, height: 8, batch_size: 1, color } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: prefix } },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
