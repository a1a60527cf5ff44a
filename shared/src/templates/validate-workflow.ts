/*
 * Checks an API-format graph against a backend's `/object_info` before it is submitted, the way
 * ComfyUI's own validation would (protocol §1.1): unknown class_type, missing required input, combo
 * value not in the list (legacy `[[...options], {...}]` and V3 `["COMBO", {options}]` encodings), number
 * out of [min, max], links to a missing node, a wrong output index or an output of another type. Pure.
 */

export interface WorkflowProblem {
  nodeId: string;
  classType: string;
  /** The input at fault; '' for a problem with the node itself. */
  input: string;
  message: string;
}

type Spec = unknown[];
interface NodeInfo {
  input?: { required?: Record<string, unknown>; optional?: Record<string, unknown> };
  output?: unknown[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLink = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'number';

/** The option list of a combo spec, in either encoding; undefined for a non-combo input. */
export function comboOptions(spec: Spec): unknown[] | undefined {
  if (Array.isArray(spec[0])) return spec[0] as unknown[];
  if (spec[0] === 'COMBO' && isRecord(spec[1]) && Array.isArray(spec[1].options)) return spec[1].options as unknown[];
  return undefined;
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? `'${v}'` : JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function listText(options: unknown[]): string {
  if (options.length === 0) return 'the backend offers none';
  if (options.length > 8) return `list of ${options.length}, e.g. ${options.slice(0, 5).map(show).join(', ')}`;
  return options.map(show).join(', ');
}

/** `a/b.safetensors` and `a\\b.safetensors` name the same model file (a Windows backend lists backslashes). */
const samePath = (a: string, b: string) => a.replaceAll('\\', '/') === b.replaceAll('\\', '/');

/** The option a combo value stands for: itself, or the backend's spelling of the same relative path. */
function comboMatch(options: unknown[], value: unknown): unknown {
  if (options.includes(value)) return value;
  if (typeof value !== 'string') return undefined;
  return options.find((o) => typeof o === 'string' && samePath(o, value));
}

function checkLiteral(spec: Spec, value: unknown): string | undefined {
  const opts = isRecord(spec[1]) ? spec[1] : {};
  const options = comboOptions(spec);
  if (options) {
    // LoadImage-style inputs check the file on the backend themselves (upload names are not listed yet).
    if (opts.image_upload === true) return typeof value === 'string' && value !== '' ? undefined : 'expects an image file name';
    return comboMatch(options, value) !== undefined ? undefined : `value ${show(value)} is not in the list (${listText(options)})`;
  }
  const type = spec[0];
  if (type === 'INT' || type === 'FLOAT') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n)) return `${show(value)} is not a number (${type})`;
    if (typeof opts.min === 'number' && n < opts.min) return `value ${n} is smaller than the minimum ${opts.min}`;
    if (typeof opts.max === 'number' && n > opts.max) return `value ${n} is bigger than the maximum ${opts.max}`;
    return undefined;
  }
  if (type === 'STRING' && typeof value !== 'string' && typeof value !== 'number') return `${show(value)} is not a string`;
  if (typeof type === 'string' && !['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO'].includes(type) && type !== '*') {
    return `expects a link to a ${type} output, got the literal ${show(value)}`;
  }
  return undefined;
}

function checkLink(
  spec: Spec,
  link: [string, number],
  graph: Record<string, unknown>,
  objectInfo: Record<string, unknown>,
): string | undefined {
  const [source, index] = link;
  const target = graph[source];
  if (!isRecord(target)) return `links to node #${source}, which is not in the graph`;
  const classType = target.class_type;
  const info = typeof classType === 'string' ? objectInfo[classType] : undefined;
  if (!isRecord(info)) return undefined; // reported on that node
  const outputs = Array.isArray(info.output) ? info.output : [];
  if (!Number.isInteger(index) || index < 0 || index >= outputs.length) {
    return `links to output ${index} of ${String(classType)} (#${source}), which has ${outputs.length} output${outputs.length === 1 ? '' : 's'}`;
  }
  const want = spec[0];
  const got = outputs[index];
  if (typeof want === 'string' && typeof got === 'string' && want !== '*' && got !== '*' && want !== 'COMBO' && !sameType(want, got)) {
    return `expects ${want} but output ${index} of ${String(classType)} (#${source}) is ${got}`;
  }
  return undefined;
}

/** ComfyUI accepts comma-joined type unions on either side (`IMAGE,MASK`). */
function sameType(a: string, b: string): boolean {
  const as = a.split(',');
  return b.split(',').some((t) => as.includes(t));
}

export function validateWorkflowAgainstObjectInfo(graph: Record<string, unknown>, objectInfo: Record<string, unknown>): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  for (const [nodeId, raw] of Object.entries(graph)) {
    const node = isRecord(raw) ? raw : {};
    const classType = typeof node.class_type === 'string' ? node.class_type : '';
    const add = (input: string, message: string) => problems.push({ nodeId, classType, input, message });
    if (!classType) {
      add('', `Node #${nodeId} has no class_type`);
      continue;
    }
    const info = objectInfo[classType];
    if (!isRecord(info)) {
      add('', `${classType} (#${nodeId}): node type ${classType} is not installed on the backend`);
      continue;
    }
    const inputs = isRecord(node.inputs) ? node.inputs : {};
    const spec = isRecord((info as NodeInfo).input) ? (info as NodeInfo).input! : {};
    const required = isRecord(spec.required) ? spec.required : {};
    const optional = isRecord(spec.optional) ? spec.optional : {};
    for (const name of Object.keys(required)) {
      if (inputs[name] === undefined) add(name, `${classType} (#${nodeId}) input "${name}": required input is missing`);
    }
    for (const [name, value] of Object.entries(inputs)) {
      const s = required[name] ?? optional[name];
      if (!Array.isArray(s) || value === undefined) continue; // unknown extra inputs are ignored, as ComfyUI does
      let message: string | undefined;
      if (isLink(value)) message = checkLink(s, value, graph, objectInfo);
      else if (Array.isArray(value)) message = `a list must be a link [nodeId, outputIndex]; got ${show(value)}`;
      else message = checkLiteral(s, value);
      if (message) add(name, `${classType} (#${nodeId}) input "${name}": ${message}`);
    }
  }
  // ComfyUI runs only what an output node needs; a graph without one is refused ("Prompt has no outputs").
  // Said only when every node is known and says whether it is one: an unknown one (reported above) might
  // have been the output.
  const nodes = Object.values(graph).map((n) => (isRecord(n) && typeof n.class_type === 'string' ? objectInfo[n.class_type] : undefined));
  const described = nodes.every((info) => isRecord(info) && typeof info.output_node === 'boolean');
  if (nodes.length > 0 && described && !nodes.some((info) => isRecord(info) && info.output_node === true)) {
    problems.push({
      nodeId: '',
      classType: '',
      input: '',
      message: 'The graph has no output node (SaveImage, PreviewImage, SaveAnimatedWEBP…): ComfyUI would refuse it with "Prompt has no outputs"',
    });
  }
  return problems;
}

/**
 * Rewrites, in place, each combo value that names a listed option with other path separators to the
 * backend's own spelling (ComfyUI matches combo values exactly, pitfall §5.12). Returns how many changed.
 */
export function alignComboValues(graph: Record<string, unknown>, objectInfo: Record<string, unknown>): number {
  let changed = 0;
  for (const raw of Object.values(graph)) {
    if (!isRecord(raw) || typeof raw.class_type !== 'string' || !isRecord(raw.inputs)) continue;
    const info = objectInfo[raw.class_type];
    const spec = isRecord(info) && isRecord((info as NodeInfo).input) ? (info as NodeInfo).input! : {};
    for (const [name, value] of Object.entries(raw.inputs)) {
      const s = (isRecord(spec.required) ? spec.required[name] : undefined) ?? (isRecord(spec.optional) ? spec.optional[name] : undefined);
      const options = Array.isArray(s) ? comboOptions(s) : undefined;
      if (!options || typeof value !== 'string' || options.includes(value)) continue;
      const match = comboMatch(options, value);
      if (typeof match === 'string') {
        raw.inputs[name] = match;
        changed++;
      }
    }
  }
  return changed;
}

/** One line for an error message: the first problem, and how many more there are. */
export function summarizeWorkflowProblems(problems: readonly WorkflowProblem[]): string {
  if (problems.length === 0) return 'The workflow is valid';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return `${problems[0]!.message}${more}`;
}
