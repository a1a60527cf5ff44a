import type { Provider, QueuePlace } from '@orchestrator/shared';
import type { BackendSnapshot, ScheduleSnapshot } from './schedule-snapshot.js';

/*
 * Why a queued job has not started, in the order a user would want to hear it: the provider is off, no
 * worker runs it, no backend has its model, none of those is online, all of them are switched off;
 * otherwise it simply waits its turn.
 */

const PROVIDER_SETUP: Record<Provider, string> = {
  comfyui: 'no worker is running (start one: npm start, or npm run worker)',
  flux: 'no running worker has FLUX configured (BFL_API_KEY)',
  v0: 'no running worker has v0 configured (V0_API_KEY)',
};

/** The backends that can run a job of `model` (all of them for a job with no model, or when no lists are known yet). */
function eligibleBackends(snapshot: ScheduleSnapshot, model: string | undefined): BackendSnapshot[] {
  if (!model) return snapshot.backends;
  const known = snapshot.backends.filter((b) => b.models !== null);
  if (known.length === 0) return snapshot.backends;
  return known.filter((b) => b.models!.has(model));
}

export function waitReason(provider: Provider, model: string | undefined, position: number, snapshot: ScheduleSnapshot): QueuePlace {
  const place = (reason: QueuePlace['reason'], message: string): QueuePlace => ({ position, reason, message });
  if (snapshot.disabled.has(provider)) return place('provider_off', `${provider} is switched off`);
  if (!snapshot.workers.some((w) => w.providers.includes(provider))) return place('no_worker', PROVIDER_SETUP[provider]);
  if (provider === 'comfyui') {
    const withModel = model ? ` with ${model}` : '';
    const eligible = eligibleBackends(snapshot, model);
    if (eligible.length === 0) return place('model_unavailable', `no backend has ${model}`);
    const online = eligible.filter((b) => b.status.online);
    if (online.length === 0) return place('no_backend_online', `no backend${withModel} is online`);
    if (online.every((b) => snapshot.disabled.has(b.id))) return place('backends_off', model ? `the backends with ${model} are switched off` : 'the backends are switched off');
  }
  if (position === 0) return place('next', 'next to start');
  return place('behind', `behind ${position} job${position === 1 ? '' : 's'}`);
}
