import { randomInt } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import {
  CHAT_COMMANDS,
  buildChatRequests,
  helpText,
  isFinal,
  matchModel,
  nearest,
  parseChat,
  parseJobRef,
  quoteToken,
  type Agent,
  type ChatCard,
  type ChatCommandName,
  type ChatJobTarget,
  type ChatTarget,
  type ChatThread,
  type Job,
  type JobRequest,
  type ModelCandidate,
  type ModelPage,
  type ParsedChat,
  type PostMessageBody,
  type TemplateFamily,
} from '@orchestrator/shared';
import { HttpError } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import { isRedisDown } from '../redis.js';
import type { ModelQuery } from '../models/model-query.js';
import type { ChatStore, ThreadState } from './chat-store.js';
import { agentSwitched, agentTable, friendlyModel, jobNumbers, problemReply, targetLabel } from './chat-replies.js';

/*
 * Carries out one chat message: parses it with the shared grammar, resolves the thread's target and
 * the model names, builds the job requests (checked by the REST schemas) and submits them through the
 * job service with the user as owner. Everything that goes wrong becomes a reply naming the problem and
 * the nearest valid form; only Redis being away escapes (the route answers 503).
 */

export interface ChatReply {
  text: string;
  card?: ChatCard;
}

export interface RunOutcome {
  reply: ChatReply;
  /** The thread's new target (the provider and model of a command that queued jobs). */
  target?: ChatTarget;
  /** A v0 job: plain text in the thread follows up on its site. */
  site?: { jobId: string };
  /** The prompt the message carried (a new thread is named after its first one). */
  prompt?: string;
}

export interface CommandDeps {
  store: ChatStore;
  jobs: {
    submit(request: JobRequest, retryOf?: string, by?: Principal): Promise<Job>;
    cancel(id: string, by?: Principal): Promise<{ cancelRequested: boolean }>;
    retry(id: string, by?: Principal): Promise<Job>;
    get(id: string): Promise<Job>;
    describe(id: string): Promise<Job>;
  };
  jobRecords: { getMany(ids: string[]): Promise<Job[]> };
  agents: { list(): Promise<Agent[]>; set(name: string, enabled: boolean): Promise<Agent> };
  models: { list(query: ModelQuery): Promise<ModelPage> };
  sites: { followUp(target: { assetId?: string }, message: string, o: { model?: 'v0-mini' | 'v0-pro' | 'v0-max' }, by?: Principal): Promise<Job> };
  log: FastifyBaseLogger;
}

/** Jobs looked back at for `/cancel`, `/retry` without a number. */
const LOOK_BACK = 50;
/** Models read from the catalogue per folder, at most. */
const MAX_MODELS = 5000;

type Candidate = ModelCandidate & { folder: 'checkpoints' | 'diffusion_models'; onBackend: boolean };

const COMMAND_OF_TARGET = (t: ChatTarget): ChatCommandName => (t.provider === 'flux' ? 'apex-flux' : t.provider === 'v0' ? 'v0' : t.kind === 'video' ? 'video' : 'apex-comfy');

const problem = (code: Parameters<typeof problemReply>[0]['code'], message: string, hint?: string, candidates?: string[]): RunOutcome => ({
  reply: problemReply({ code, message, ...(hint ? { hint } : {}), ...(candidates ? { candidates } : {}) }),
});

export class ChatCommandRunner {
  constructor(private readonly deps: CommandDeps) {}

  async run(thread: ChatThread, state: ThreadState, body: PostMessageBody, by: Principal | undefined): Promise<RunOutcome> {
    const target = state.target ?? body.target;
    const parsed = parseChat(body.text, target ? { plainCommand: COMMAND_OF_TARGET(target) } : {});
    if (!parsed.ok) return { reply: problemReply(parsed.problem) };
    const p = parsed.parsed;
    try {
      const outcome = await this.execute(thread, state, p, body, target, by);
      return p.prompt ? { prompt: p.prompt, ...outcome } : outcome;
    } catch (err) {
      if (isRedisDown(err)) throw err;
      if (err instanceof HttpError) {
        const code = err.statusCode === 403 ? 'not_allowed' : err.statusCode === 404 ? 'not_found' : err.statusCode === 400 || err.statusCode === 422 ? 'invalid_request' : 'refused';
        return problem(code, err.message);
      }
      this.deps.log.error({ err, threadId: thread.id }, 'chat command failed');
      return problem('refused', `That did not work: ${(err as Error).message ?? 'an unexpected error'}`);
    }
  }

  private async execute(thread: ChatThread, state: ThreadState, p: ParsedChat, body: PostMessageBody, target: ChatTarget | undefined, by: Principal | undefined): Promise<RunOutcome> {
    const spec = p.command ? CHAT_COMMANDS[p.command] : null;
    if (spec && spec.image === 'none' && body.inputImage !== undefined && ['help', 'agent-list', 'agent-on', 'agent-off', 'cancel', 'retry', 'vary'].includes(spec.name)) {
      return problem('image_not_taken', `/${spec.name} takes no image: remove the attachment, or send it with /video or /apex-flux`, `/${spec.name}`);
    }
    switch (p.command) {
      case 'help':
        return { reply: { text: helpText(p.args[0]), card: { type: 'help', ...(p.args[0] ? { topic: p.args[0] } : {}) } } };
      case 'agent-list': {
        const agents = await this.deps.agents.list();
        const detailed = p.args[0] === 'ws';
        return { reply: { text: agentTable(agents, detailed), card: { type: 'agents', detailed, agents } } };
      }
      case 'agent-on':
      case 'agent-off':
        return this.switchAgent(p.args[0]!, p.command === 'agent-on', by);
      case 'apex-comfy': {
        const models = await this.candidates();
        const m = matchModel(p.args[0]!, models);
        if (m.kind !== 'one') return modelProblem(p.args[0]!, m.kind === 'many' ? m.candidates : m.nearest, m.kind === 'many', p);
        const t: ChatJobTarget = { provider: 'comfyui', kind: 'image', model: m.model.file, modelFolder: m.model.folder, ...familyOf(m.model) };
        return this.queueBuilt(thread, t, p, body, by, { provider: 'comfyui', kind: 'image', model: m.model.file });
      }
      case 'apex-flux':
        return this.queueBuilt(thread, { provider: 'flux', ...(p.flags.model ? { model: p.flags.model } : {}) }, p, body, by, { provider: 'flux', kind: 'image', ...(p.flags.model ? { model: p.flags.model } : {}) });
      case 'v0':
        return this.queueBuilt(thread, { provider: 'v0', ...(p.flags.model ? { model: p.flags.model } : {}) }, p, body, by, { provider: 'v0', kind: 'site' });
      case 'video':
        return this.video(thread, p, body, by, undefined);
      case 'cancel':
        return this.cancel(thread, state, p.args[0], by);
      case 'retry':
        return this.retry(thread, state, p.args[0], by);
      case 'vary':
        return this.vary(thread, state, p.args[0], by);
      case null:
        return this.plain(thread, state, p, body, target ?? { provider: 'comfyui', kind: 'image' }, by);
    }
  }

  /** Plain text: a prompt for the target; in a thread working on a site, a change to that site. */
  private async plain(thread: ChatThread, state: ThreadState, p: ParsedChat, body: PostMessageBody, target: ChatTarget, by: Principal | undefined): Promise<RunOutcome> {
    switch (target.provider) {
      case 'flux':
        return this.queueBuilt(thread, { provider: 'flux', ...(p.flags.model ?? target.model ? { model: p.flags.model ?? target.model } : {}) }, p, body, by, target);
      case 'v0': {
        const site = state.site ? await this.deps.jobs.get(state.site.jobId).catch(() => null) : null;
        if (site && !isFinal(site.status)) {
          const n = (await this.deps.store.jobsDescending(thread.id, Math.max(1, state.jobs - LOOK_BACK), state.jobs)).find((j) => j.id === site.id)?.n;
          return problem('refused', `The site is still being made${n ? ` (#${n})` : ''}: send the change once it is ready, or /cancel it`, '/cancel');
        }
        const asset = site?.status === 'completed' ? site.assets?.find((a) => a.type === 'site') : undefined;
        if (asset) {
          const built = buildChatRequests({ provider: 'v0', ...(p.flags.model ?? target.model ? { model: p.flags.model ?? target.model } : {}) }, p.prompt, p.flags, p.spans, body.inputImage ? { inputImage: body.inputImage } : {});
          if (!built.ok) return { reply: problemReply(built.problem) };
          const request = built.requests[0]!;
          const model = request.provider === 'v0' ? request.model : undefined;
          return this.queue(thread, [() => this.deps.sites.followUp({ assetId: asset.id }, p.prompt, model ? { model } : {}, by)], target, 'a change to the site');
        }
        return this.queueBuilt(thread, { provider: 'v0', ...(p.flags.model ?? target.model ? { model: p.flags.model ?? target.model } : {}) }, p, body, by, target);
      }
      case 'comfyui': {
        if (target.kind === 'video') return this.video(thread, p, body, by, target.model);
        const found = target.model ? (await this.candidates()).find((c) => c.file === target.model) : undefined;
        const t: ChatJobTarget = { provider: 'comfyui', kind: 'image', ...(target.model ? { model: target.model } : {}), ...(found ? { modelFolder: found.folder, ...familyOf(found) } : {}) };
        return this.queueBuilt(thread, t, p, body, by, target);
      }
    }
  }

  private async video(thread: ChatThread, p: ParsedChat, body: PostMessageBody, by: Principal | undefined, stored: string | undefined): Promise<RunOutcome> {
    let model = stored;
    let folder: Candidate['folder'] | undefined;
    if (p.flags.model) {
      const svd = (await this.candidates()).filter((c) => c.family === 'svd');
      const m = matchModel(p.flags.model, svd);
      if (m.kind !== 'one') return modelProblem(p.flags.model, m.kind === 'many' ? m.candidates : m.nearest.length > 0 ? m.nearest : svd, m.kind === 'many', p);
      model = m.model.file;
      folder = m.model.folder;
    }
    const t: ChatJobTarget = { provider: 'comfyui', kind: 'video', ...(model ? { model } : {}), ...(folder ? { modelFolder: folder } : {}) };
    return this.queueBuilt(thread, t, p, body, by, { provider: 'comfyui', kind: 'video', ...(model ? { model } : {}) });
  }

  private async queueBuilt(thread: ChatThread, t: ChatJobTarget, p: ParsedChat, body: PostMessageBody, by: Principal | undefined, next: ChatTarget): Promise<RunOutcome> {
    const built = buildChatRequests(t, p.prompt, p.flags, p.spans, body.inputImage ? { inputImage: body.inputImage } : {});
    if (!built.ok) return { reply: problemReply(built.problem) };
    // The resolved model (a FLUX or v0 name typed by prefix) becomes the thread's.
    const first = built.requests[0]!;
    const model = first.model ?? next.model;
    const target: ChatTarget = { provider: next.provider, kind: next.kind, ...(model ? { model } : {}) };
    const outcome = await this.queue(thread, built.requests.map((r) => () => this.deps.jobs.submit(r, undefined, by)), target);
    return first.provider === 'v0' && outcome.site === undefined && outcome.reply.card?.type === 'jobs' ? { ...outcome, site: { jobId: outcome.reply.card.jobs[0]!.id } } : outcome;
  }

  /** Submits in order; the first refusal stops the rest and is reported with what did go. */
  private async queue(thread: ChatThread, submits: (() => Promise<Job>)[], target: ChatTarget, what?: string): Promise<RunOutcome> {
    const jobs: Job[] = [];
    let refusal: unknown;
    for (const submit of submits) {
      try {
        jobs.push(await submit());
      } catch (err) {
        if (jobs.length === 0 || isRedisDown(err)) throw err;
        refusal = err;
        break;
      }
    }
    const ns = await this.deps.store.numberJobs(thread.id, jobs.map((j) => j.id));
    const first = jobs[0]!;
    let text = `Queued ${what ? `${what}, ` : ''}${jobNumbers(ns)}${jobs.length > 1 ? ` (${jobs.length} jobs)` : ''} on ${targetLabel(target)}`;
    if (refusal) text += `; the rest were refused: ${(refusal as Error).message}`;
    const described = await this.deps.jobs.describe(first.id).catch(() => null);
    const place = described?.status === 'queued' ? described.queue : undefined;
    if (place && place.reason !== 'next' && place.reason !== 'behind') text += ` — waiting: ${place.message}`;
    const card: ChatCard = { type: 'jobs', jobs: jobs.map((j, i) => ({ id: j.id, n: ns[i]! })), provider: first.provider, kind: first.kind, ...(target.model ? { model: target.model } : {}) };
    return { reply: { text, card }, target, ...(first.provider === 'v0' ? { site: { jobId: first.id } } : {}) };
  }

  private async switchAgent(name: string, on: boolean, by: Principal | undefined): Promise<RunOutcome> {
    if (by && by.rank < 2) return problem('not_allowed', `Switching agents needs admin access; ask an admin to send /agent-${on ? 'on' : 'off'} ${name}`);
    const names = (await this.deps.agents.list()).map((a) => a.name);
    const exact = names.find((n) => n.toLowerCase() === name.toLowerCase());
    if (!exact) {
      const close = nearest(name, names);
      return problem(
        'not_found',
        `No agent named "${name}"${close.length > 0 ? `: did you mean ${close.join(' or ')}?` : ''} Agents: ${names.join(', ')}`,
        close[0] ? `/agent-${on ? 'on' : 'off'} ${close[0]}` : '/agent-list',
        close,
      );
    }
    const agent = await this.deps.agents.set(exact, on);
    return { reply: { text: agentSwitched(agent), card: { type: 'agent', agent } } };
  }

  /** The jobs `/cancel` etc. mean: job #n, a job id, or (none given) what `pick` chooses among the thread's recent jobs. */
  private async jobsFor(thread: ChatThread, state: ThreadState, arg: string | undefined, pick: (recent: { n: number; job: Job }[], state: ThreadState) => { n: number; job: Job }[]): Promise<{ n?: number; job: Job }[] | RunOutcome> {
    if (arg !== undefined) {
      const ref = parseJobRef(arg)!;
      if ('n' in ref) {
        const id = await this.deps.store.jobAt(thread.id, ref.n);
        if (!id) return problem('not_found', state.jobs > 0 ? `This thread has no job #${ref.n}: its jobs are #1–#${state.jobs}` : 'This thread has queued no jobs yet', state.jobs > 0 ? `#${state.jobs}` : '/help');
        return [{ n: ref.n, job: await this.deps.jobs.get(id) }];
      }
      const numbered = (await this.deps.store.jobsDescending(thread.id, Math.max(1, state.jobs - LOOK_BACK), state.jobs)).find((j) => j.id === ref.id);
      return [{ ...(numbered ? { n: numbered.n } : {}), job: await this.deps.jobs.get(ref.id) }];
    }
    const refs = await this.deps.store.jobsDescending(thread.id, Math.max(1, state.jobs - LOOK_BACK + 1), state.jobs);
    const records = new Map((await this.deps.jobRecords.getMany(refs.map((r) => r.id))).map((j) => [j.id, j]));
    const recent = refs.flatMap((r) => (records.has(r.id) ? [{ n: r.n, job: records.get(r.id)! }] : []));
    return pick(recent, state);
  }

  private async cancel(thread: ChatThread, state: ThreadState, arg: string | undefined, by: Principal | undefined): Promise<RunOutcome> {
    const found = await this.jobsFor(thread, state, arg, (recent, s) => {
      const active = recent.filter((r) => !isFinal(r.job.status));
      const batch = active.filter((r) => s.lastBatch.includes(r.job.id));
      return batch.length > 0 ? batch.reverse() : active.slice(0, 1);
    });
    if (!Array.isArray(found)) return found;
    if (found.length === 0) return problem('not_found', state.jobs > 0 ? 'Nothing to cancel: none of the recent jobs of this thread is queued or running' : 'This thread has queued no jobs yet');
    const done: string[] = [];
    const notes: string[] = [];
    for (const { n, job } of found) {
      const label = n ? `#${n}` : job.id;
      if (isFinal(job.status)) {
        notes.push(`${label} already finished (${job.status})`);
        continue;
      }
      try {
        const r = await this.deps.jobs.cancel(job.id, by);
        done.push(r.cancelRequested ? `${label} (stopping it on its backend)` : label);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        notes.push(`${label}: ${err.message}`);
      }
    }
    if (done.length === 0) return problem('refused', `Nothing cancelled: ${notes.join('; ')}`);
    return { reply: { text: `Cancelled ${done.join(', ')}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}` } };
  }

  private async retry(thread: ChatThread, state: ThreadState, arg: string | undefined, by: Principal | undefined): Promise<RunOutcome> {
    const found = await this.jobsFor(thread, state, arg, (recent) => recent.filter((r) => r.job.status === 'failed' || r.job.status === 'cancelled').slice(0, 1));
    if (!Array.isArray(found)) return found;
    const one = found[0];
    if (!one) return problem('not_found', state.jobs > 0 ? 'Nothing to retry: no recent job of this thread failed or was cancelled (/vary runs one again with a new seed)' : 'This thread has queued no jobs yet', state.jobs > 0 ? '/vary' : '/help');
    if (one.job.status !== 'failed' && one.job.status !== 'cancelled') {
      return problem('refused', `${one.n ? `#${one.n}` : 'That job'} is ${one.job.status}: only a failed or cancelled job is retried (/vary runs it again with a new seed)`, `/vary ${one.n ?? one.job.id}`);
    }
    const target = targetOfJob(one.job);
    const outcome = await this.queue(thread, [() => this.deps.jobs.retry(one.job.id, by)], target, `a retry of ${one.n ? `#${one.n}` : 'the job'}`);
    return outcome;
  }

  private async vary(thread: ChatThread, state: ThreadState, arg: string | undefined, by: Principal | undefined): Promise<RunOutcome> {
    const found = await this.jobsFor(thread, state, arg, (recent) => recent.filter((r) => r.job.provider !== 'v0').slice(0, 1));
    if (!Array.isArray(found)) return found;
    const one = found[0];
    if (!one) return problem('not_found', 'No image or video job in this thread to vary yet', '/help');
    const request = one.job.request;
    if (request.provider === 'v0') return problem('refused', 'A site has no seed: send the change you want as plain text instead');
    const seed = randomInt(0, 2 ** 47);
    const varied = { ...request, params: { ...(request.params ?? {}), seed } } as JobRequest;
    return this.queue(thread, [() => this.deps.jobs.submit(varied, undefined, by)], targetOfJob(one.job), `a variation of ${one.n ? `#${one.n}` : 'the job'} (seed ${seed})`);
  }

  /** ComfyUI checkpoints and diffusion models; those a backend has, when any backend reports models. */
  private async candidates(): Promise<Candidate[]> {
    const out: Candidate[] = [];
    for (const folder of ['checkpoints', 'diffusion_models'] as const) {
      let cursor: string | undefined;
      let read = 0;
      do {
        const page = await this.deps.models.list({ folder, limit: 500, cursor });
        for (const m of page.items) out.push({ file: m.file ?? m.id.slice(folder.length + 1), folder, name: m.name, family: m.family, onBackend: m.backends.length > 0 });
        read += page.items.length;
        cursor = page.nextCursor;
      } while (cursor && read < MAX_MODELS);
    }
    return out.some((m) => m.onBackend) ? out.filter((m) => m.onBackend) : out;
  }
}

function familyOf(m: ModelCandidate): { family?: TemplateFamily } {
  const f = m.family;
  return f === 'sd15' || f === 'sdxl' || f === 'sd3' || f === 'flux' || f === 'svd' ? { family: f } : {};
}

function targetOfJob(job: Job): ChatTarget {
  return { provider: job.provider, kind: job.kind, ...(job.request.model ? { model: job.request.model } : {}) };
}

/** The message again with `model` in place of what was typed (the nearest valid form). */
function withModel(p: ParsedChat, model: string): string {
  const rest = p.prompt ? ` ${p.prompt}` : '';
  return p.command === 'video' ? `/video --model ${quoteToken(model)}${rest}` : `/apex-comfy ${quoteToken(model)}${rest}`;
}

function modelProblem(typed: string, list: readonly ModelCandidate[], ambiguous: boolean, p: ParsedChat): RunOutcome {
  const names = list.slice(0, 8).map((m) => m.file);
  if (ambiguous) {
    return problem('ambiguous_model', `"${typed}" could be ${names.map(friendlyModel).join(', ')}: say which (a longer part of its name)`, withModel(p, names[0]!), names);
  }
  return problem(
    'unknown_model',
    names.length > 0 ? `No model matches "${typed}"; did you mean ${names.map(friendlyModel).join(' or ')}?` : `No model matches "${typed}", and no backend reports any model yet`,
    names[0] ? withModel(p, names[0]) : '/agent-list ws',
    names,
  );
}

