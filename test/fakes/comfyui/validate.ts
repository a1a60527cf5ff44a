// Prompt validation, a port of execution.validate_prompt / validate_inputs (v0.3.64): same
// error envelopes, same in-place coercion, same "only nodes reachable from outputs" rule.
import { type CatalogueEnv, NODES, installed, nodeInfo } from './nodes.js';
import { fakeTraceback, isPlainObject, PyError, pyEq, pyFloat, pyInt, pyNum, pyRepr, pyStr, pyTruthy } from './py.js';

export interface ErrorObj {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}
export interface NodeError {
  errors: ErrorObj[];
  dependent_outputs: string[];
  class_type: unknown;
}
export interface ValidationResult {
  ok: boolean;
  error?: ErrorObj;
  outputs: string[];
  nodeErrors: Record<string, NodeError>;
}
export interface ValidateEnv extends CatalogueEnv {
  /** >= 0.4 reports unknown classes as missing_node_type instead of invalid_prompt. */
  newerErrors: boolean;
}
export type Graph = Record<string, Record<string, unknown>>;
type Validated = Map<string, [boolean, ErrorObj[]]>;

const err = (type: string, message: string, details: string, extra_info: Record<string, unknown> = {}): ErrorObj => ({
  type, message, details, extra_info,
});

/** Python `x in container` for partial_execution_targets. */
function pyIn(x: string, container: unknown): boolean {
  if (Array.isArray(container)) return container.some((c) => c === x);
  if (typeof container === 'string') return container.includes(x);
  if (isPlainObject(container)) return Object.hasOwn(container, x);
  throw new PyError('TypeError', `argument of type '${typeof container}' is not iterable`);
}

/** execution.validate_node_input */
function typesCompatible(received: unknown, input: unknown): boolean {
  if (pyEq(received, input) || (Array.isArray(received) && Array.isArray(input) && pyRepr(received) === pyRepr(input))) return true;
  if (typeof received !== 'string' || typeof input !== 'string') return false;
  const r = new Set(received.split(',').map((t) => t.trim()));
  const i = new Set(input.split(',').map((t) => t.trim()));
  if (r.has('*') || i.has('*')) return true;
  return [...r].some((t) => i.has(t));
}

const lt = (a: unknown, b: unknown): boolean => (a as number) < (b as number);
const gt = (a: unknown, b: unknown): boolean => (a as number) > (b as number);

class Validator {
  private infos = new Map<string, Record<string, unknown>>();
  readonly validated: Validated = new Map();
  private visiting = new Set<string>();
  constructor(
    private prompt: Graph,
    private env: ValidateEnv,
  ) {}

  private info(classType: string): Record<string, unknown> {
    let i = this.infos.get(classType);
    if (!i) this.infos.set(classType, (i = nodeInfo(NODES.get(classType)!, this.env)));
    return i;
  }

  private node(id: unknown): Record<string, unknown> {
    if (typeof id !== 'string') {
      if (Array.isArray(id) || isPlainObject(id)) throw new PyError('TypeError', `unhashable type: '${Array.isArray(id) ? 'list' : 'dict'}'`);
      throw new PyError('KeyError', pyRepr(id));
    }
    if (!Object.hasOwn(this.prompt, id)) throw new PyError('KeyError', pyRepr(id));
    return this.prompt[id]!;
  }

  validateInputs(id: string): [boolean, ErrorObj[]] {
    const done = this.validated.get(id);
    if (done) return done;
    const node = this.node(id);
    if (!isPlainObject(node.inputs)) throw new PyError('KeyError', "'inputs'");
    if (this.visiting.has(id)) throw new PyError('RecursionError', 'maximum recursion depth exceeded');
    this.visiting.add(id);
    try {
      return this.validateNode(id, node, node.inputs);
    } finally {
      this.visiting.delete(id);
    }
  }

  private validateNode(id: string, node: Record<string, unknown>, inputs: Record<string, unknown>): [boolean, ErrorObj[]] {
    const classType = node.class_type as string;
    const def = NODES.get(classType)!;
    const declared = this.info(classType).input as Record<string, Record<string, unknown[]> | undefined>;
    // valid_inputs = required ∪ optional; only a missing required one is an error.
    const specs: Array<[string, unknown[], boolean]> = [
      ...Object.entries(declared.required ?? {}).map(([x, spec]): [string, unknown[], boolean] => [x, spec, true]),
      ...Object.entries(declared.optional ?? {}).map(([x, spec]): [string, unknown[], boolean] => [x, spec, false]),
    ];
    const customInputs = def.validate?.inputs ?? [];
    const errors: ErrorObj[] = [];
    let valid = true;
    for (const [x, spec, required] of specs) {
      const inputType = spec[0];
      const extra = (spec[1] ?? {}) as Record<string, unknown>;
      const config = [inputType, extra];
      if (!Object.hasOwn(inputs, x)) {
        if (required) errors.push(err('required_input_missing', 'Required input is missing', x, { input_name: x }));
        continue;
      }
      let val = inputs[x];
      if (Array.isArray(val)) {
        if (val.length !== 2) {
          errors.push(err('bad_linked_input', 'Bad linked input, must be a length-2 list of [node_id, slot_index]', x,
            { input_name: x, input_config: config, received_value: val }));
          continue;
        }
        const src = this.node(val[0]);
        const ret = NODES.get(src.class_type as string)!.outputs;
        const idx = val[1];
        if (typeof idx !== 'number' && typeof idx !== 'boolean') throw new PyError('TypeError', `tuple indices must be integers or slices, not ${typeof idx === 'string' ? 'str' : 'dict'}`);
        const n = Number(idx);
        if (!Number.isInteger(n)) throw new PyError('TypeError', 'tuple indices must be integers or slices, not float');
        const receivedType = ret[n < 0 ? ret.length + n : n];
        if (receivedType === undefined) throw new PyError('IndexError', 'tuple index out of range');
        if (!typesCompatible(receivedType, inputType)) {
          errors.push(err('return_type_mismatch', 'Return type mismatch between linked nodes',
            `${x}, received_type(${receivedType}) mismatch input_type(${pyStr(inputType)})`,
            { input_name: x, input_config: config, received_type: receivedType, linked_node: val }));
          continue;
        }
        try {
          if (!this.validateInputs(val[0] as string)[0]) valid = false;
        } catch (e) {
          valid = false;
          const ex = toPyError(e);
          this.validated.set(val[0] as string, [false, [err('exception_during_inner_validation', 'Exception when validating inner node', ex.message, {
            input_name: x, input_config: config, exception_message: ex.message, exception_type: ex.pyType,
            traceback: fakeTraceback('validate_inputs', 'r = await validate_inputs(prompt_id, prompt, o_id, validated)'),
            linked_node: val,
          })]]);
        }
        continue;
      }
      try {
        if (isPlainObject(val) && Object.hasOwn(val, '__value__')) inputs[x] = val = val.__value__;
        if (inputType === 'INT') inputs[x] = val = pyInt(val);
        if (inputType === 'FLOAT') inputs[x] = val = pyFloat(val);
        if (inputType === 'STRING') inputs[x] = val = pyStr(val);
        if (inputType === 'BOOLEAN') inputs[x] = val = pyTruthy(val);
      } catch (e) {
        const ex = toPyError(e);
        errors.push(err('invalid_input_type', `Failed to convert an input value to a ${pyStr(inputType)} value`,
          `${x}, ${pyStr(val)}, ${ex.message}`,
          { input_name: x, input_config: config, received_value: val, exception_message: ex.message }));
        continue;
      }
      if (customInputs.includes(x)) continue;
      const asFloat = inputType === 'FLOAT';
      if ('min' in extra && lt(val, extra.min)) {
        errors.push(err('value_smaller_than_min', `Value ${pyNum(val as number, asFloat)} smaller than min of ${pyNum(extra.min as number, asFloat)}`, x,
          { input_name: x, input_config: config, received_value: val }));
        continue;
      }
      if ('max' in extra && gt(val, extra.max)) {
        errors.push(err('value_bigger_than_max', `Value ${pyNum(val as number, asFloat)} bigger than max of ${pyNum(extra.max as number | bigint, asFloat)}`, x,
          { input_name: x, input_config: config, received_value: val }));
        continue;
      }
      if (Array.isArray(inputType) || inputType === 'COMBO') {
        const options = (Array.isArray(inputType) ? inputType : (extra.options as unknown[] | undefined) ?? []) as unknown[];
        if (!options.some((o) => pyEq(o, val))) {
          const big = options.length > 20;
          errors.push(err('value_not_in_list', 'Value not in list',
            `${x}: '${pyStr(val)}' not in ${big ? `(list of length ${options.length})` : pyRepr(options)}`,
            { input_name: x, input_config: big ? null : config, received_value: val }));
          continue;
        }
      }
    }
    if (def.validate && def.validate.inputs.every((k) => Object.hasOwn(inputs, k) && !Array.isArray(inputs[k]))) {
      const r = def.validate.fn(inputs, this.env.files);
      if (r !== true) {
        for (const x of def.validate.inputs) {
          errors.push(err('custom_validation_failed', 'Custom validation failed for node', `${x} - ${r}`, { input_name: x }));
        }
      }
    }
    const result: [boolean, ErrorObj[]] = errors.length > 0 || !valid ? [false, errors] : [true, []];
    this.validated.set(id, result);
    return result;
  }
}

export function toPyError(e: unknown): PyError {
  if (e instanceof PyError) return e;
  return new PyError('Exception', e instanceof Error ? e.message : String(e));
}

/** Validate (and coerce in place). Throws PyError for inputs the real server answers with 500. */
export function validatePrompt(prompt: unknown, partial: unknown, env: ValidateEnv): ValidationResult {
  if (!isPlainObject(prompt)) throw new PyError('TypeError', 'prompt is not a dict');
  const outputs: string[] = [];
  for (const [x, node] of Object.entries(prompt)) {
    if (!isPlainObject(node)) throw new PyError('TypeError', 'string indices must be integers');
    const fail = (e: ErrorObj): ValidationResult => ({ ok: false, error: e, outputs: [], nodeErrors: {} });
    if (!Object.hasOwn(node, 'class_type')) {
      return fail(err('invalid_prompt', 'Cannot execute because a node is missing the class_type property.', `Node ID '#${x}'`));
    }
    const ct = node.class_type;
    if (Array.isArray(ct) || isPlainObject(ct)) throw new PyError('TypeError', `unhashable type: '${Array.isArray(ct) ? 'list' : 'dict'}'`);
    const found = typeof ct === 'string' ? NODES.get(ct) : undefined;
    const def = found && installed(found, env) ? found : undefined;
    if (!def) {
      if (env.newerErrors) {
        const meta = node._meta;
        const title = isPlainObject(meta) && typeof meta.title === 'string' ? meta.title : pyStr(ct);
        return fail(err('missing_node_type', `Node '${title}' not found. The custom node may not be installed.`, `Node ID '#${x}'`,
          { node_id: x, class_type: ct, node_title: title }));
      }
      return fail(err('invalid_prompt', `Cannot execute because node ${pyStr(ct)} does not exist.`, `Node ID '#${x}'`));
    }
    if (def.outputNode && (partial === null || partial === undefined || pyIn(x, partial))) outputs.push(x);
  }
  if (outputs.length === 0) return { ok: false, error: err('prompt_no_outputs', 'Prompt has no outputs', ''), outputs: [], nodeErrors: {} };

  const v = new Validator(prompt as Graph, env);
  const good: string[] = [];
  const failed: Array<[string, ErrorObj[]]> = [];
  const nodeErrors: Record<string, NodeError> = {};
  for (const o of outputs) {
    let valid: boolean;
    let reasons: ErrorObj[];
    try {
      [valid, reasons] = v.validateInputs(o);
    } catch (e) {
      const ex = toPyError(e);
      valid = false;
      reasons = [err('exception_during_validation', 'Exception when validating node', ex.message, {
        exception_type: ex.pyType, traceback: fakeTraceback('validate_prompt', 'm = await validate_inputs(prompt_id, prompt, o, validated)'),
      })];
      v.validated.set(o, [false, reasons]);
    }
    if (valid) {
      good.push(o);
      continue;
    }
    if (reasons.length > 0) failed.push([o, reasons]);
    for (const [nodeId, [ok, rs]] of v.validated) {
      if (ok || rs.length === 0) continue;
      nodeErrors[nodeId] ??= { errors: rs, dependent_outputs: [], class_type: (prompt as Graph)[nodeId]!.class_type };
      nodeErrors[nodeId].dependent_outputs.push(o);
    }
  }
  if (good.length === 0) {
    const details = failed.flatMap(([, rs]) => rs.map((r) => `${r.message}: ${r.details}`)).join('\n');
    return { ok: false, error: err('prompt_outputs_failed_validation', 'Prompt outputs failed validation', details), outputs: [], nodeErrors };
  }
  return { ok: true, outputs: good, nodeErrors };
}

/** validationError fault: turn any (partial) success into a full prompt_outputs_failed_validation. */
export function forceFailure(r: ValidationResult, prompt: Graph): ValidationResult {
  if (!r.ok) return r;
  const nodeErrors = { ...r.nodeErrors };
  const lines: string[] = [];
  for (const o of r.outputs) {
    const e = err('custom_validation_failed', 'Custom validation failed for node', 'simulated validation failure (fake ComfyUI fault)', {});
    nodeErrors[o] = { errors: [e], dependent_outputs: [o], class_type: prompt[o]!.class_type };
    lines.push(`${e.message}: ${e.details}`);
  }
  return { ok: false, error: err('prompt_outputs_failed_validation', 'Prompt outputs failed validation', lines.join('\n')), outputs: [], nodeErrors };
}
