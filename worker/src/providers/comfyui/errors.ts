import { BackendUnavailable, JobFailure } from '../../errors.js';
import { ComfyHttpError } from './http-client.js';

/*
 * ComfyUI's error shapes (protocol §1.1 and §2.3) turned into messages a user can act on.
 */

interface InputError {
  type?: string;
  message?: string;
  details?: string;
  extra_info?: { input_name?: string };
}

interface NodeError {
  errors?: InputError[];
  class_type?: string;
}

export interface NodeErrorSummary {
  nodeId: string;
  classType: string | undefined;
  input: string | undefined;
  type: string | undefined;
  message: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function summarizeNodeErrors(nodeErrors: unknown): NodeErrorSummary[] {
  if (!isRecord(nodeErrors)) return [];
  const out: NodeErrorSummary[] = [];
  for (const [nodeId, raw] of Object.entries(nodeErrors)) {
    const node = (isRecord(raw) ? raw : {}) as NodeError;
    const errors = Array.isArray(node.errors) && node.errors.length > 0 ? node.errors : [{ message: 'invalid node' }];
    for (const e of errors) {
      const text = [e.message, e.details].filter((s) => typeof s === 'string' && s.length > 0).join(': ');
      out.push({
        nodeId,
        classType: node.class_type,
        input: e.extra_info?.input_name,
        type: e.type,
        message: text || 'invalid value',
      });
    }
  }
  return out;
}

/** `KSampler (#3) input "sampler_name": Value not in list: sampler_name: 'x' not in [...]` */
export function describeNodeError(e: NodeErrorSummary): string {
  const node = e.classType ? `${e.classType} (#${e.nodeId})` : `Node #${e.nodeId}`;
  return `${node}${e.input ? ` input "${e.input}"` : ''}: ${e.message}`;
}

/** A JobFailure for a rejected prompt: a 400 body, or a 200 whose node_errors are not empty. */
export function validationFailure(body: unknown): JobFailure {
  const b = isRecord(body) ? body : {};
  const nodeErrors = summarizeNodeErrors(b.node_errors);
  const top = isRecord(b.error) ? b.error : {};
  const topType = typeof top.type === 'string' ? top.type : undefined;
  if (nodeErrors.length > 0) {
    return new JobFailure('validation_failed', nodeErrors.map(describeNodeError).join('; '), {
      type: topType,
      nodeErrors,
    });
  }
  const message = typeof top.message === 'string' && top.message ? top.message : 'ComfyUI rejected the prompt';
  const details = typeof top.details === 'string' && top.details ? top.details : undefined;
  return new JobFailure('validation_failed', details ? `${message} (${details})` : message, { type: topType });
}

/** `execution_error` payload → the job's failure, with ComfyUI's own exception message. */
export function executionFailure(data: Record<string, unknown>): JobFailure {
  const raw = typeof data.exception_message === 'string' ? data.exception_message.trim() : '';
  const nodeType = typeof data.node_type === 'string' ? data.node_type : undefined;
  const nodeId = data.node_id === undefined || data.node_id === null ? undefined : String(data.node_id);
  return new JobFailure('execution_error', raw || `ComfyUI failed while running ${nodeType ?? 'the workflow'}`, {
    node_type: nodeType,
    node_id: nodeId,
    exception_type: typeof data.exception_type === 'string' ? data.exception_type : undefined,
  });
}

export function interruptedFailure(data: Record<string, unknown>): JobFailure {
  const where = typeof data.node_type === 'string' ? ` at ${data.node_type} (#${String(data.node_id)})` : '';
  return new JobFailure('interrupted', `The prompt was interrupted on the ComfyUI server${where}`, {
    node_type: data.node_type,
    node_id: data.node_id,
  });
}

/** Any other HTTP failure while talking to a backend. Unreachable → retriable; the rest → final. */
export function httpFailure(err: unknown, what: string, backendId: string): Error {
  if (err instanceof ComfyHttpError) {
    if (err.unreachable) return new BackendUnavailable(err.message, backendId);
    const status = err.status ? ` (HTTP ${err.status})` : '';
    return new JobFailure('backend_error', `ComfyUI ${what} failed${status}: ${err.message}`, { status: err.status });
  }
  return err instanceof Error ? err : new Error(String(err));
}
