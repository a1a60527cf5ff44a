// The prompt worker: one prompt at a time in priority order, the exact WebSocket message
// sequence of execution.py/main.py, cooperative interrupts, per-node output caching (which decides
// whether a model loader runs, and so pays loadMs), history.
import type { FileStore } from './files.js';
import { ExecutionList, isLink, nodeInputs, signatures } from './graph.js';
import type { FakeComfyFaults, FakeComfyStats } from './index.js';
import { NODES } from './nodes.js';
import { fakeTraceback, isPlainObject, pyRepr } from './py.js';
import type { PromptQueue, QueueItem } from './queue.js';
import { formatValue, type RunContext } from './sim.js';
import { toPyError, type Graph } from './validate.js';
import type { WsHub } from './ws.js';

export interface ExecutorDeps {
  queue: PromptQueue;
  hub: WsHub;
  files: FileStore;
  stepMs: number;
  loadMs: number;
  previews: boolean;
  faults: () => FakeComfyFaults;
  stats: Pick<FakeComfyStats, 'promptsExecuted' | 'executionMs' | 'modelLoads' | 'loadedModel'>;
}

class Interrupted extends Error {}
type Failure = { interrupted: true; nodeId: string } | { interrupted: false; nodeId: string; details: Record<string, unknown> };
interface Armed {
  executionError?: { nodeType?: string; message?: string };
  dropWsAfterSteps?: number;
  steps: number;
}
type Msg = [string, Record<string, unknown>];

export class Executor {
  /** server.client_id: owner of the current/last prompt (null → broadcast rules). */
  clientId: unknown = null;
  lastNodeId: string | null = null;
  private interruptFlag = false;
  private closed = false;
  private sleepers = new Set<() => void>();
  private outputsCache = new Map<string, unknown[]>();
  private uiCache = new Map<string, { output: Record<string, unknown>; meta: Record<string, unknown> }>();
  private readonly done: Promise<void>;

  constructor(private d: ExecutorDeps) {
    this.done = this.loop();
  }

  /** nodes.interrupt_processing(): picked up at the next node boundary or sampler step. */
  interrupt(): void {
    this.interruptFlag = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.interruptFlag = true;
    for (const s of [...this.sleepers]) s();
    this.d.queue.wake();
    await this.done;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const done = (): void => {
        clearTimeout(t);
        this.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      const got = this.d.queue.get();
      if (!got) {
        await this.d.queue.wait();
        continue;
      }
      const [, promptId, prompt, extraData, outputs] = got.item;
      const pickedUpAt = performance.now();
      const f = this.d.faults();
      const armed: Armed = { steps: 0 };
      if (f.executionError) armed.executionError = f.executionError;
      if (f.dropWsAfterSteps !== undefined) armed.dropWsAfterSteps = f.dropWsAfterSteps;
      delete f.executionError;
      delete f.dropWsAfterSteps;
      this.interruptFlag = false; // reset at pick-up, so an interrupt during slowStartMs is honoured
      if (f.slowStartMs) await this.sleep(f.slowStartMs);
      let r: { success: boolean; messages: Msg[]; outputs: Record<string, unknown>; meta: Record<string, unknown> };
      try {
        r = await this.execute(structuredClone(prompt), promptId, { ...extraData }, outputs, armed);
      } catch (e) {
        r = { success: false, messages: [['execution_error', { prompt_id: promptId, exception_message: String(e), timestamp: Date.now() }]], outputs: {}, meta: {} };
      }
      this.d.queue.taskDone(got.id, r.outputs, r.meta, { status_str: r.success ? 'success' : 'error', completed: r.success, messages: r.messages });
      this.d.stats.promptsExecuted++;
      if (this.clientId !== null && this.clientId !== undefined) {
        this.d.hub.send('executing', { node: null, prompt_id: promptId }, this.clientId);
      }
      this.d.stats.executionMs += performance.now() - pickedUpAt;
    }
  }

  private async execute(prompt: Graph, promptId: string, extra: Record<string, unknown>, outputs: string[], armed: Armed) {
    const { hub } = this.d;
    const clientId = extra.client_id ?? null;
    this.clientId = clientId;
    const owner = clientId !== null;
    const messages: Msg[] = [];
    const addMessage = (event: string, data: Record<string, unknown>, broadcast: boolean): void => {
      const full = { ...data, timestamp: Date.now() };
      messages.push([event, full]);
      if (owner || broadcast) hub.send(event, full, clientId);
    };
    addMessage('execution_start', { prompt_id: promptId }, false);

    const sigs = signatures(prompt, this.d.files);
    const live = new Set(sigs.values());
    for (const k of [...this.outputsCache.keys()]) if (!live.has(k)) this.outputsCache.delete(k);
    for (const k of [...this.uiCache.keys()]) if (!live.has(k)) this.uiCache.delete(k);
    const isCached = (id: string): boolean => this.outputsCache.has(sigs.get(id)!);
    const cachedNodes = Object.keys(prompt).filter(isCached);
    addMessage('execution_cached', { nodes: cachedNodes, prompt_id: promptId }, false);

    // ProgressRegistry + WebUIProgressHandler
    const progress = new Map<string, { value: number; max: number; state: string }>();
    const sendProgressState = (): void => {
      const nodes: Record<string, unknown> = {};
      for (const [id, s] of progress) {
        nodes[id] = { value: s.value, max: s.max, state: s.state, node_id: id, prompt_id: promptId, display_node_id: id, parent_node_id: null, real_node_id: id };
      }
      hub.send('progress_state', { prompt_id: promptId, nodes }, clientId);
    };
    const entry = (id: string) => progress.get(id) ?? progress.set(id, { value: 0, max: 1, state: 'pending' }).get(id)!;

    const executed: string[] = [];
    const list = new ExecutionList(prompt, isCached);
    for (const o of outputs) list.add(o);
    let failure: Failure | undefined;
    while (!list.isEmpty()) {
      const id = list.pick();
      if (id === undefined) {
        const nodeId = list.remaining()[0]!;
        failure = { interrupted: false, nodeId, details: { exception_message: 'Dependency cycle detected', exception_type: 'graph.DependencyCycleError', traceback: [], current_inputs: [] } };
        break;
      }
      const node = prompt[id]!;
      const classType = node.class_type as string;
      const def = NODES.get(classType)!;
      const sig = sigs.get(id)!;
      if (this.outputsCache.has(sig)) {
        if (owner) hub.send('executed', { node: id, display_node: id, output: this.uiCache.get(sig)?.output ?? null, prompt_id: promptId }, clientId);
        Object.assign(entry(id), { state: 'finished', value: entry(id).max });
        sendProgressState();
        list.complete(id);
        continue;
      }
      const inputs: Record<string, unknown> = {};
      const formatted: Record<string, unknown[]> = {};
      try {
        Object.assign(entry(id), { state: 'running', value: 0, max: 1 });
        sendProgressState();
        for (const [name, v] of Object.entries(nodeInputs(prompt, id))) {
          if (isLink(v)) {
            const out = this.outputsCache.get(sigs.get(v[0]) ?? '');
            if (!out || v[1] >= out.length) continue;
            inputs[name] = out[v[1]];
          } else if (Object.hasOwn(def.required, name) || Object.hasOwn(def.optional ?? {}, name)) inputs[name] = v;
          else continue;
          formatted[name] = [formatValue(inputs[name])];
        }
        if (def.hidden) {
          formatted.prompt = [pyRepr(prompt)];
          formatted.extra_pnginfo = [formatValue(extra.extra_pnginfo ?? null)];
        }
        if (owner) {
          this.lastNodeId = id;
          hub.send('executing', { node: id, display_node: id, prompt_id: promptId }, clientId);
        }
        this.checkInterrupt();
        const fault = armed.executionError;
        if (fault && (fault.nodeType ?? 'KSampler') === classType) {
          delete armed.executionError;
          throw Object.assign(new Error(fault.message ?? `Simulated runtime failure in ${classType} (fake ComfyUI fault)`), { pyType: 'RuntimeError' });
        }
        const ctx: RunContext = {
          nodeId: id, inputs, prompt, extraPnginfo: extra.extra_pnginfo ?? null, files: this.d.files, stepMs: this.d.stepMs,
          sleep: (ms) => this.sleep(ms),
          // No interrupt check: a load has no progress bar, so an interrupt waits for the next node.
          loadModel: async (name) => {
            if (this.d.loadMs > 0) await this.sleep(this.d.loadMs);
            this.d.stats.modelLoads++;
            this.d.stats.loadedModel = name;
          },
          progress: async (value, max, preview) => {
            this.checkInterrupt();
            Object.assign(entry(id), { state: 'running', value, max });
            sendProgressState();
            const png = this.d.previews && preview && hub.hasTarget(clientId) ? preview() : undefined;
            const v4 = hub.supportsPreviewMetadata(clientId);
            if (png && v4) hub.sendPreviewWithMetadata(png, { node_id: id, prompt_id: promptId, display_node_id: id, parent_node_id: null, real_node_id: id }, clientId);
            hub.send('progress', { value, max, prompt_id: promptId, node: id }, clientId);
            if (png && !v4) hub.sendPreview(png, clientId);
            armed.steps++;
            if (armed.dropWsAfterSteps !== undefined && armed.steps >= armed.dropWsAfterSteps) {
              delete armed.dropWsAfterSteps;
              hub.dropAll();
            }
          },
        };
        const r = await def.run(ctx);
        if (r.ui && Object.keys(r.ui).length > 0) {
          this.uiCache.set(sig, { output: r.ui, meta: { node_id: id, display_node: id, parent_node: null, real_node_id: id } });
          if (owner) hub.send('executed', { node: id, display_node: id, output: r.ui, prompt_id: promptId }, clientId);
        }
        this.outputsCache.set(sig, r.out);
        Object.assign(entry(id), { state: 'finished', value: entry(id).max });
        sendProgressState();
        executed.push(id);
        list.complete(id);
      } catch (e) {
        if (e instanceof Interrupted) failure = { interrupted: true, nodeId: id };
        else {
          const ex = toPyError(e);
          const pyType = (e as { pyType?: string }).pyType ?? ex.pyType;
          failure = {
            interrupted: false, nodeId: id,
            details: {
              exception_message: `${ex.message}\n`, exception_type: pyType,
              traceback: fakeTraceback('execute', `output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(...)  # ${classType}`),
              current_inputs: formatted,
            },
          };
        }
        break;
      }
    }

    if (failure) {
      const nodeType = prompt[failure.nodeId]?.class_type;
      const base = { prompt_id: promptId, node_id: failure.nodeId, node_type: nodeType, executed: [...executed] };
      if (failure.interrupted) addMessage('execution_interrupted', base, true);
      else addMessage('execution_error', { ...base, ...failure.details, current_outputs: cachedNodes }, false);
    } else addMessage('execution_success', { prompt_id: promptId }, false);

    const uiOutputs: Record<string, unknown> = {};
    const meta: Record<string, unknown> = {};
    for (const id of Object.keys(prompt)) {
      const u = this.uiCache.get(sigs.get(id)!);
      if (u && isPlainObject(u.output)) {
        uiOutputs[id] = u.output;
        meta[id] = u.meta;
      }
    }
    this.lastNodeId = null;
    return { success: !failure, messages, outputs: uiOutputs, meta };
  }

  /** throw_exception_if_processing_interrupted (clears the flag). */
  private checkInterrupt(): void {
    if (this.interruptFlag) {
      this.interruptFlag = false;
      throw new Interrupted();
    }
  }

  /** Queue item currently executing (for /interrupt {prompt_id}). */
  static isRunning(queue: PromptQueue, promptId: unknown): boolean {
    return queue.runningItems().some((it: QueueItem) => it[1] === promptId);
  }
}
