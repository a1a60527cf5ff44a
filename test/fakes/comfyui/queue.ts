// PromptQueue of server.py/execution.py: a heapq-ordered pending list (exposed unsorted, as the
// raw heap array), the running map, and the in-memory history (max 10000 entries).
import type { Graph } from './validate.js';

export type ExtraData = Record<string, unknown>;
/** [number, prompt_id, prompt, extra_data, outputs_to_execute] */
export type QueueItem = [number, string, Graph, ExtraData, string[]];
export interface HistoryStatus {
  status_str: 'success' | 'error';
  completed: boolean;
  messages: Array<[string, Record<string, unknown>]>;
}
export interface HistoryEntry {
  prompt: QueueItem;
  outputs: Record<string, unknown>;
  status: HistoryStatus;
  meta: Record<string, unknown>;
}

export const MAXIMUM_HISTORY_SIZE = 10000;

function less(a: QueueItem, b: QueueItem): boolean {
  return a[0] !== b[0] ? a[0] < b[0] : a[1] < b[1]; // Python tuple comparison (number, prompt_id, ...)
}

function siftDown(h: QueueItem[], start: number, pos: number): void {
  const item = h[pos]!;
  while (pos > start) {
    const parentPos = (pos - 1) >> 1;
    const parent = h[parentPos]!;
    if (!less(item, parent)) break;
    h[pos] = parent;
    pos = parentPos;
  }
  h[pos] = item;
}

function siftUp(h: QueueItem[], pos: number): void {
  const end = h.length;
  const start = pos;
  const item = h[pos]!;
  let child = 2 * pos + 1;
  while (child < end) {
    const right = child + 1;
    if (right < end && !less(h[child]!, h[right]!)) child = right;
    h[pos] = h[child]!;
    pos = child;
    child = 2 * pos + 1;
  }
  h[pos] = item;
  siftDown(h, start, pos);
}

export class PromptQueue {
  private heap: QueueItem[] = [];
  private running = new Map<number, QueueItem>();
  private taskCounter = 0;
  private waiters: Array<() => void> = [];
  readonly history = new Map<string, HistoryEntry>();

  /** `queue_updated` → status broadcast. */
  constructor(private onUpdated: () => void) {}

  put(item: QueueItem): void {
    this.heap.push(item);
    siftDown(this.heap, 0, this.heap.length - 1);
    this.onUpdated();
    this.waiters.splice(0).forEach((w) => w());
  }

  /** Pop the best item (heappop) and mark it running. */
  get(): { id: number; item: QueueItem } | undefined {
    if (this.heap.length === 0) return undefined;
    const last = this.heap.pop()!;
    let item = last;
    if (this.heap.length > 0) {
      item = this.heap[0]!;
      this.heap[0] = last;
      siftUp(this.heap, 0);
    }
    const id = this.taskCounter++;
    this.running.set(id, item);
    this.onUpdated();
    return { id, item };
  }

  /** Resolves when something is put (or `wake()` is called). */
  wait(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  wake(): void {
    this.waiters.splice(0).forEach((w) => w());
  }

  taskDone(id: number, outputs: Record<string, unknown>, meta: Record<string, unknown>, status: HistoryStatus): void {
    const item = this.running.get(id)!;
    this.running.delete(id);
    if (this.history.size > MAXIMUM_HISTORY_SIZE) this.history.delete(this.history.keys().next().value!);
    this.history.set(item[1], { prompt: item, outputs, status, meta });
    this.onUpdated();
  }

  remaining(): number {
    return this.heap.length + this.running.size;
  }

  runningItems(): QueueItem[] {
    return [...this.running.values()];
  }

  pendingItems(): QueueItem[] {
    return [...this.heap];
  }

  wipe(): void {
    this.heap = [];
    this.onUpdated();
  }

  /** delete_queue_item (note: deleting the last item wipes → two status broadcasts, as in the original). */
  delete(promptId: unknown): boolean {
    const idx = this.heap.findIndex((it) => it[1] === promptId);
    if (idx < 0) return false;
    if (this.heap.length === 1) this.wipe();
    else {
      this.heap.splice(idx, 1);
      for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) siftUp(this.heap, i);
    }
    this.onUpdated();
    return true;
  }

  /** get_history(max_items, offset) over the insertion-ordered map. */
  getHistory(maxItems: number | undefined, offsetIn: number | undefined): Record<string, HistoryEntry> {
    let offset = offsetIn ?? -1;
    if (offset < 0 && maxItems !== undefined) offset = this.history.size - maxItems;
    const out: Record<string, HistoryEntry> = {};
    let i = 0;
    let n = 0;
    for (const [k, v] of this.history) {
      if (i >= offset) {
        out[k] = v;
        n++;
        if (maxItems !== undefined && n >= maxItems) break;
      }
      i++;
    }
    return out;
  }
}
