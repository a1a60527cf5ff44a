import type { Agent, AgentList, Job, JobPriority, QueueEntry, QueuePlace, QueueView } from '@orchestrator/shared';

/*
 * Optimistic edits of the cached queue view and agent list. Each returns the same object when nothing
 * changes (react-query then skips the re-render); the refetch that follows every change brings the
 * server's order and reasons.
 */

/** The job at the top of the list, as high priority (the server also puts it ahead of its provider's other jobs). */
export function moveToFront(view: QueueView | undefined, jobId: string): QueueView | undefined {
  const at = view?.items.findIndex((e) => e.job.id === jobId) ?? -1;
  if (!view || at < 0) return view;
  const entry = view.items[at]!;
  const moved: QueueEntry = { ...entry, job: withPriority(entry.job, 'high') };
  return { ...view, items: [moved, ...view.items.slice(0, at), ...view.items.slice(at + 1)] };
}

/** The job's new level; its place is left to the refetch (where it lands depends on others' levels). */
export function setPriority(view: QueueView | undefined, jobId: string, priority: JobPriority): QueueView | undefined {
  if (!view || !view.items.some((e) => e.job.id === jobId)) return view;
  return { ...view, items: view.items.map((e) => (e.job.id === jobId ? { ...e, job: withPriority(e.job, priority) } : e)) };
}

/** A job that left the queue (cancelled, or started). */
export function removeFromQueue(view: QueueView | undefined, jobId: string): QueueView | undefined {
  if (!view || !view.items.some((e) => e.job.id === jobId)) return view;
  const job = view.items.find((e) => e.job.id === jobId)!.job;
  const counts = view.byProvider[job.provider];
  return {
    ...view,
    items: view.items.filter((e) => e.job.id !== jobId),
    total: Math.max(0, view.total - 1),
    byProvider: counts ? { ...view.byProvider, [job.provider]: { ...counts, waiting: Math.max(0, counts.waiting - 1) } } : view.byProvider,
  };
}

/** Where the job waits and why, if the view lists it. */
export function placeOf(view: QueueView | undefined, jobId: string): QueuePlace | undefined {
  return view?.items.find((e) => e.job.id === jobId)?.place;
}

function withPriority(job: Job, priority: JobPriority): Job {
  return { ...job, request: { ...job.request, priority } };
}

/** Replaces the agent of the same name (or adds it). */
export function upsertAgent(list: AgentList | undefined, agent: Agent): AgentList | undefined {
  if (!list) return list;
  const at = list.agents.findIndex((a) => a.name === agent.name);
  if (at < 0) return { agents: [...list.agents, agent] };
  const agents = list.agents.slice();
  agents[at] = agent;
  return { agents };
}

/** The switch as the user just set it: off while busy drains. */
export function switched(agent: Agent, on: boolean): Agent {
  return { ...agent, enabled: on, draining: !on && agent.busy };
}
