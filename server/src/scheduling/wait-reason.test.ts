import { describe, expect, it } from 'vitest';
import type { BackendStatus } from '@orchestrator/shared';
import type { BackendSnapshot, ScheduleSnapshot } from './schedule-snapshot.js';
import { waitReason } from './wait-reason.js';

const status = (id: string, online = true): BackendStatus => ({
  id,
  url: `http://${id}`,
  online,
  simulated: true,
  checkedAt: new Date().toISOString(),
  devices: [],
  checkpoints: [],
  samplers: [],
  schedulers: [],
});
const backend = (id: string, models: string[] | null, online = true): BackendSnapshot => ({ id, status: status(id, online), models: models && new Set(models) });
const snapshot = (over: Partial<ScheduleSnapshot> = {}): ScheduleSnapshot => ({
  disabled: new Set(),
  backends: [backend('comfyui-1', ['a.safetensors']), backend('comfyui-2', ['a.safetensors', 'b.safetensors'], false)],
  workers: [{ id: 'w', providers: ['comfyui', 'flux'], backends: [], startedAt: '' }],
  ...over,
});

describe('waitReason', () => {
  it('says the turn when nothing else holds the job back', () => {
    expect(waitReason('comfyui', 'a.safetensors', 0, snapshot())).toEqual({ position: 0, reason: 'next', message: 'next to start' });
    expect(waitReason('comfyui', 'a.safetensors', 3, snapshot())).toEqual({ position: 3, reason: 'behind', message: 'behind 3 jobs' });
    expect(waitReason('flux', undefined, 1, snapshot()).message).toBe('behind 1 job');
  });

  it('names what holds it back, most basic first', () => {
    expect(waitReason('comfyui', 'a.safetensors', 2, snapshot({ disabled: new Set(['comfyui']) }))).toMatchObject({ reason: 'provider_off', message: 'comfyui is switched off', position: 2 });
    expect(waitReason('v0', undefined, 0, snapshot())).toMatchObject({ reason: 'no_worker', message: expect.stringContaining('V0_API_KEY') });
    expect(waitReason('comfyui', 'c.safetensors', 0, snapshot())).toMatchObject({ reason: 'model_unavailable', message: 'no backend has c.safetensors' });
    expect(waitReason('comfyui', 'b.safetensors', 0, snapshot())).toMatchObject({ reason: 'no_backend_online', message: 'no backend with b.safetensors is online' });
    expect(waitReason('comfyui', 'a.safetensors', 0, snapshot({ disabled: new Set(['comfyui-1']) }))).toMatchObject({
      reason: 'backends_off',
      message: 'the backends with a.safetensors are switched off',
    });
    expect(waitReason('comfyui', undefined, 0, snapshot({ backends: [backend('comfyui-1', null, false)] }))).toMatchObject({ reason: 'no_backend_online', message: 'no backend is online' });
  });

  it('does not judge models before any backend has reported its lists', () => {
    expect(waitReason('comfyui', 'z.safetensors', 0, snapshot({ backends: [backend('comfyui-1', null)] })).reason).toBe('next');
  });
});
