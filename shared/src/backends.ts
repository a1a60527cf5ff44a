import Type, { type Static } from 'typebox';

export const GpuDevice = Type.Object({
  name: Type.String(),
  type: Type.String(),
  vramTotal: Type.Optional(Type.Number()),
  vramFree: Type.Optional(Type.Number()),
});
export type GpuDevice = Static<typeof GpuDevice>;

/** One ComfyUI server as the workers see it; refreshed every few seconds by the backend monitor. */
export const BackendStatus = Type.Object({
  id: Type.String({ description: 'stable id derived from the URL, e.g. "comfyui-1"' }),
  url: Type.String(),
  online: Type.Boolean(),
  /** Label for a protocol fake that says so in its system_stats. */
  simulated: Type.Boolean(),
  checkedAt: Type.String(),
  lastOnlineAt: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  /** Prompts waiting or running on the ComfyUI server itself. */
  queueRemaining: Type.Optional(Type.Integer()),
  version: Type.Optional(Type.String()),
  devices: Type.Array(GpuDevice),
  checkpoints: Type.Array(Type.String()),
  samplers: Type.Array(Type.String()),
  schedulers: Type.Array(Type.String()),
});
export type BackendStatus = Static<typeof BackendStatus>;

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  redis: Type.Object({ ok: Type.Boolean(), latencyMs: Type.Optional(Type.Number()), error: Type.Optional(Type.String()) }),
  backends: Type.Array(
    Type.Object({
      id: Type.String(),
      url: Type.String(),
      online: Type.Boolean(),
      simulated: Type.Boolean(),
      checkedAt: Type.String(),
      error: Type.Optional(Type.String()),
      queueDepth: Type.Integer({ description: 'jobs waiting in our queue for ComfyUI backends' }),
      queueRemaining: Type.Optional(Type.Integer()),
      version: Type.Optional(Type.String()),
      devices: Type.Array(GpuDevice),
    }),
  ),
  queues: Type.Record(Type.String(), Type.Object({ waiting: Type.Integer(), active: Type.Integer() })),
  workers: Type.Object({ live: Type.Integer() }),
  providers: Type.Object({
    flux: Type.Object({
      configured: Type.Boolean(),
      /** BFL credit balance (1 credit = $0.01), cached for about a minute; only when configured. */
      credits: Type.Optional(Type.Number()),
      creditsError: Type.Optional(Type.String()),
    }),
    v0: Type.Object({ configured: Type.Boolean() }),
  }),
});
export type Health = Static<typeof Health>;

/** `comfyui-1`, `comfyui-2`… in COMFYUI_URLS order: stable across processes with the same config. */
export function backendIds(urls: readonly string[]): { id: string; url: string }[] {
  return urls.map((url, i) => ({ id: `comfyui-${i + 1}`, url }));
}
