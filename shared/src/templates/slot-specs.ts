import { isKnownSlot, slotLabel, type SlotKind, type SlotSpec, type WorkflowGraph, type WorkflowSlot } from '../workflows.js';
import type { SlotValues } from '../requests/comfy-features.js';
import { isImageUploadInput } from './import.js';
import { comboOptions } from './validate-workflow.js';

/*
 * A custom workflow's slots as typed form fields (issue 14): each slot's type, range, step and choices
 * come from the backend's `/object_info` spec of the node input it fills (INT / FLOAT / STRING / BOOLEAN /
 * COMBO, image-upload inputs), or, when no backend answered, from the value the graph holds. The same
 * specs check a job's slot values, so a bad one is refused naming the slot. Pure.
 */

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
type Literal = string | number | boolean;
const isLiteral = (v: unknown): v is Literal => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** Inputs that choose a model file: a combo of them is a model picker. */
const MODEL_INPUTS = new Set(['ckpt_name', 'unet_name', 'lora_name', 'vae_name', 'clip_name', 'clip_name1', 'clip_name2', 'clip_name3', 'control_net_name', 'model_name']);
const KNOWN_KINDS: Partial<Record<string, SlotKind>> = { prompt: 'text', negativePrompt: 'text', image: 'image', model: 'model', sampler: 'combo', scheduler: 'combo' };

/** The `[type, options]` spec of one node input in an object_info answer. */
export function inputSpecOf(objectInfo: Record<string, unknown> | undefined, classType: string, input: string): unknown[] | undefined {
  const info = objectInfo?.[classType];
  if (!isRecord(info) || !isRecord(info.input)) return undefined;
  const { required, optional } = info.input;
  const spec = (isRecord(required) ? required[input] : undefined) ?? (isRecord(optional) ? optional[input] : undefined);
  return Array.isArray(spec) ? spec : undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** One slot's spec from the node input's object_info spec, else from the graph's value. */
function specFor(slot: WorkflowSlot, graph: WorkflowGraph, objectInfo: Record<string, unknown> | undefined): SlotSpec {
  const node = graph[slot.nodeId];
  const classType = node?.class_type ?? '';
  const value = node?.inputs[slot.input];
  const base = {
    name: slot.param,
    label: slotLabel(slot.param),
    nodeId: slot.nodeId,
    classType,
    input: slot.input,
    known: isKnownSlot(slot.param),
    ...(isLiteral(value) ? { value } : {}),
  };
  const spec = inputSpecOf(objectInfo, classType, slot.input);
  const opts = spec && isRecord(spec[1]) ? spec[1] : {};
  const known = KNOWN_KINDS[slot.param];
  if (spec) {
    const options = comboOptions(spec);
    if (options) {
      const strings = options.filter((o): o is string => typeof o === 'string');
      if (opts.image_upload === true || isImageUploadInput(classType, slot.input) || slot.param === 'image') return { ...base, kind: 'image', checked: true };
      const kind: SlotKind = slot.param === 'model' || MODEL_INPUTS.has(slot.input) ? 'model' : 'combo';
      return { ...base, kind, options: strings, checked: true };
    }
    const type = spec[0];
    if (type === 'INT' || type === 'FLOAT') {
      const min = num(opts.min);
      // KSampler's seed goes to 2^64-1; a JS number is exact only to 2^53-1.
      const max = num(opts.max) !== undefined ? Math.min(num(opts.max)!, Number.MAX_SAFE_INTEGER) : undefined;
      const step = num(opts.step) ?? (type === 'INT' ? 1 : undefined);
      return { ...base, kind: type === 'INT' ? 'int' : 'float', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), ...(step !== undefined ? { step } : {}), checked: true };
    }
    if (type === 'BOOLEAN') return { ...base, kind: 'boolean', checked: true };
    if (type === 'STRING') return { ...base, kind: known === 'text' || known === undefined ? 'text' : known, ...(opts.multiline === true ? { multiline: true } : {}), checked: true };
  }
  if (isImageUploadInput(classType, slot.input)) return { ...base, kind: 'image', checked: false };
  if (known) return { ...base, kind: known, ...(known === 'text' ? { multiline: true } : {}), checked: false };
  if (typeof value === 'boolean') return { ...base, kind: 'boolean', checked: false };
  if (typeof value === 'number') return { ...base, kind: Number.isInteger(value) ? 'int' : 'float', checked: false };
  return { ...base, kind: 'text', checked: false };
}

/** Each slot's spec, once per slot name (a slot filling several inputs is typed by the first). */
export function slotSpecs(graph: WorkflowGraph, slots: readonly WorkflowSlot[], objectInfo?: Record<string, unknown>): SlotSpec[] {
  const seen = new Set<string>();
  const out: SlotSpec[] = [];
  for (const slot of slots) {
    if (seen.has(slot.param)) continue;
    seen.add(slot.param);
    out.push(specFor(slot, graph, objectInfo));
  }
  return out;
}

export interface SlotValueProblem {
  slot: string;
  message: string;
}

const show = (v: unknown) => (typeof v === 'string' ? `"${v.length > 60 ? `${v.slice(0, 57)}…` : v}"` : String(v));
const samePath = (a: string, b: string) => a.replaceAll('\\', '/') === b.replaceAll('\\', '/');
const IMAGE_ID = /^[A-Za-z0-9-]{1,64}$/;

/** What is wrong with one value for its slot, or undefined. */
export function slotValueProblem(spec: SlotSpec, value: Literal): string | undefined {
  const where = `Slot "${spec.name}" (${spec.classType} #${spec.nodeId} ${spec.input})`;
  switch (spec.kind) {
    case 'int':
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${where}: expects a number, got ${show(value)}`;
      if (spec.kind === 'int' && !Number.isInteger(value)) return `${where}: expects a whole number, got ${value}`;
      if (spec.min !== undefined && value < spec.min) return `${where}: ${value} is below the minimum ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `${where}: ${value} is above the maximum ${spec.max}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${where}: expects true or false, got ${show(value)}`;
    case 'image':
      return typeof value === 'string' && IMAGE_ID.test(value) ? undefined : `${where}: expects an upload or gallery asset id, got ${show(value)}`;
    case 'combo':
    case 'model': {
      if (typeof value !== 'string') return `${where}: expects one of its choices, got ${show(value)}`;
      if (!spec.checked || !spec.options || spec.options.some((o) => samePath(o, value))) return undefined;
      const list = spec.options.length > 8 ? `${spec.options.slice(0, 8).map(show).join(', ')}, …` : spec.options.map(show).join(', ');
      return `${where}: ${show(value)} is not one of its choices (${list || 'the backend offers none'})`;
    }
    case 'text':
      return typeof value === 'string' ? undefined : `${where}: expects text, got ${show(value)}`;
  }
}

/** Every problem with a request's slot values: an unknown slot name, or a value its slot does not take. */
export function slotValueProblems(specs: readonly SlotSpec[], values: SlotValues | undefined, workflowName: string): SlotValueProblem[] {
  const problems: SlotValueProblem[] = [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const [name, value] of Object.entries(values ?? {})) {
    const spec = byName.get(name);
    if (!spec) {
      const names = specs.map((s) => s.name);
      problems.push({ slot: name, message: `"${workflowName}" has no slot "${name}"${names.length > 0 ? ` (its slots: ${names.join(', ')})` : ' (it has no slots)'}` });
      continue;
    }
    const message = slotValueProblem(spec, value);
    if (message) problems.push({ slot: name, message });
  }
  return problems;
}
