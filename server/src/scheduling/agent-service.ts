import { ANY_LANE, PROVIDERS, redactUrl, type Agent, type EventLog, type Provider } from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import type { JobQueues } from '../jobs/queues.js';

import type { BackendSnapshot, ScheduleSnapshot } from './schedule-snapshot.js';
import type { QueueService } from './queue-service.js';

/**
 * Agents: each provider and each ComfyUI backend, with what it is doing, and the switch that drains
 * it. Off is persisted in Redis and honoured by every worker within a second (they hear it on the
 * wake channel, and re-read the switches every second anyway).
 */
export class AgentService {
  constructor(
    private readonly queue: QueueService,
    private readonly queues: JobQueues,
    private readonly events: EventLog,
  ) {}

  async list(): Promise<Agent[]> {
    const schedule = this.queues.schedule;
    const [snapshot, counts, lanes] = await Promise.all([this.queue.snapshot(), this.queues.allCounts(), schedule.lanes('comfyui')]);
    const laneWaiting = new Map(await Promise.all([...lanes.keys()].map(async (l) => [l, await schedule.laneCount('comfyui', l)] as const)));
    const backends = snapshot.backends.map((b) => this.backendAgent(b, snapshot, lanes, laneWaiting));
    const providers = PROVIDERS.map((p) => this.providerAgent(p, snapshot, counts[p] ?? { waiting: 0, active: 0 }, backends));
    return [...providers, ...backends];
  }

  names(snapshot: ScheduleSnapshot): string[] {
    return [...PROVIDERS, ...snapshot.backends.map((b) => b.id)];
  }

  /** Switches an agent; 404 naming the valid agents for an unknown name. Appends `agent.status`. */
  async set(name: string, enabled: boolean): Promise<Agent> {
    const names = this.names(await this.queue.snapshot());
    if (!names.includes(name)) {
      throw new HttpError('unknown_agent', `No agent named "${name}"; agents: ${names.join(', ')}`, { agents: names });
    }
    await this.queues.schedule.setAgent(name, enabled);
    this.queue.invalidate();
    const agent = (await this.list()).find((a) => a.name === name)!;
    const changed = { ...agent, enabled, draining: !enabled && agent.busy };
    await this.events.append({ type: 'agent.status', data: changed });
    return changed;
  }

  private providerAgent(p: Provider, snapshot: ScheduleSnapshot, counts: { waiting: number; active: number }, backends: Agent[]): Agent {
    const enabled = !snapshot.disabled.has(p);
    const served = snapshot.workers.some((w) => w.providers.includes(p));
    const comfy = p === 'comfyui';
    const online = comfy ? backends.some((b) => b.online) : served;
    const running = comfy ? backends.reduce((n, b) => n + b.queue.running, 0) : counts.active;
    const busy = running > 0;
    const message = !enabled
      ? busy
        ? 'switched off; finishing its running jobs'
        : 'switched off'
      : !served
        ? 'no running worker serves it'
        : !online
          ? 'no backend is online'
          : undefined;
    return {
      name: p,
      kind: 'provider',
      provider: p,
      enabled,
      online,
      busy,
      draining: !enabled && busy,
      ...(message ? { message } : {}),
      queue: { waiting: counts.waiting, running },
    };
  }

  private backendAgent(
    b: BackendSnapshot,
    snapshot: ScheduleSnapshot,
    lanes: Map<string, { queue: string; model?: string }>,
    laneWaiting: Map<string, number>,
  ): Agent {
    const enabled = !snapshot.disabled.has(b.id);
    const inflight = b.runtime?.inflight ?? [];
    const busy = inflight.length > 0;
    const online = b.status.online && b.runtime !== undefined;
    let waiting = 0;
    for (const [lane, info] of lanes) {
      if (lane === ANY_LANE || (info.model && b.models?.has(info.model))) waiting += laneWaiting.get(lane) ?? 0;
    }
    const message = !b.status.online
      ? (b.status.error ?? 'offline')
      : !b.runtime
        ? 'no worker drives it'
        : !enabled
          ? busy
            ? 'switched off; finishing its running job'
            : 'switched off'
          : b.runtime.releasing
            ? 'moving to another worker once its jobs end'
            : undefined;
    return {
      name: b.id,
      kind: 'backend',
      provider: 'comfyui',
      enabled,
      online,
      busy,
      draining: (!enabled || b.runtime?.releasing === true) && busy,
      ...(inflight[0] ? { currentJob: inflight[0].jobId } : {}),
      ...(b.runtime?.loadedModel ? { loadedModel: b.runtime.loadedModel } : {}),
      ...(b.runtime ? { owner: b.runtime.owner } : {}),
      inflight,
      url: redactUrl(b.status.url),
      ...(message ? { message } : {}),
      queue: { waiting, running: inflight.length },
    };
  }
}
