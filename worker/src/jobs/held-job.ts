import type { EventType, Job, JobStore, UpdateResult } from '@orchestrator/shared';

/** Anything that can apply a change to a job record and append its event. */
export interface JobWriter {
  readonly id: string;
  update(type: EventType, change: (job: Job) => Job): Promise<UpdateResult>;
}

/**
 * The record of a job this worker holds. While a worker holds a job it is the only writer of non-final
 * states (the server and the other workers only ever write final ones, which the store refuses to
 * overwrite), so the copy kept here is what Redis holds: updates write without reading it first.
 */
export class HeldJob implements JobWriter {
  constructor(
    private readonly store: JobStore,
    private current: Job,
  ) {}

  get id(): string {
    return this.current.id;
  }

  get job(): Job {
    return this.current;
  }

  async update(type: EventType, change: (job: Job) => Job): Promise<UpdateResult> {
    const res = await this.store.replace(type, change(this.current));
    if (res.ok) this.current = res.job;
    return res;
  }
}

/** A writer for a job whose record this worker has not read (it reads it on every update). */
export function storedJob(store: JobStore, id: string): JobWriter {
  return { id, update: (type, change) => store.update(id, type, change) };
}
