import { describe, expect, it } from 'vitest';
import type { Agent } from '@orchestrator/shared';
import { agentState, friendlyModel, shortWorker } from './queueLabels';

const agent: Agent = { name: 'comfyui-1', kind: 'backend', provider: 'comfyui', enabled: true, online: true, busy: false, draining: false, queue: { waiting: 0, running: 0 } };

describe('queue labels', () => {
  it('names a model by its file, without folder or extension', () => {
    expect(friendlyModel('sd_xl_base_1.0.safetensors')).toBe('sd_xl_base_1.0');
    expect(friendlyModel('SDXL/juggernaut.ckpt')).toBe('juggernaut');
    expect(friendlyModel('SD15\\dreamshaper_8.safetensors')).toBe('dreamshaper_8');
    expect(friendlyModel('flux-pro-1.1')).toBe('flux-pro-1.1');
  });

  it('shortens a worker id to host and pid', () => {
    expect(shortWorker('gpu-box-4242-a1b2c3')).toBe('gpu-box:4242');
    expect(shortWorker('3f2a9c8e1b2d4f6a-17-00ff00')).toBe('3f2a9c8e1b2…:17');
    expect(shortWorker('custom')).toBe('custom');
  });

  it('says draining before off, off before offline', () => {
    expect(agentState(agent)).toBe('online');
    expect(agentState({ ...agent, online: false })).toBe('offline');
    expect(agentState({ ...agent, online: false, enabled: false })).toBe('off');
    expect(agentState({ ...agent, enabled: false, busy: true, draining: true })).toBe('draining');
  });
});
