// FastAPI/pydantic-v2 style request validation → HTTP 422 `{ detail: [{ loc, msg, type }] }` (HTTPValidationError).
// Typing is strict: pydantic's lax coercions (e.g. "5" for an integer) are not emulated.
import { type FieldSpec, type ModelSpec, parseAspect } from './models.js';

export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

const quoteList = (values: readonly string[]): string => {
  const q = values.map((v) => `'${v}'`);
  return q.length > 1 ? `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}` : (q[0] ?? '');
};

function checkRange(v: number, f: { min?: number; max?: number; multipleOf?: number }): [string, string] | null {
  if (f.min !== undefined && v < f.min) return ['greater_than_equal', `Input should be greater than or equal to ${f.min}`];
  if (f.max !== undefined && v > f.max) return ['less_than_equal', `Input should be less than or equal to ${f.max}`];
  if (f.multipleOf !== undefined && v % f.multipleOf !== 0) return ['multiple_of', `Input should be a multiple of ${f.multipleOf}`];
  return null;
}

/** One field → [type, msg] of the first problem, or null when valid. */
function checkField(v: unknown, f: FieldSpec): [string, string] | null {
  if (v === null) return 'nullable' in f && f.nullable ? null : nullError(f);
  switch (f.kind) {
    case 'string':
      return typeof v === 'string' ? null : ['string_type', 'Input should be a valid string'];
    case 'uri': {
      if (typeof v !== 'string') return ['string_type', 'Input should be a valid string'];
      if (v.length < f.minLength) return ['string_too_short', `String should have at least ${f.minLength} character`];
      if (v.length > f.maxLength) return ['string_too_long', `String should have at most ${f.maxLength} characters`];
      return URL.canParse(v) ? null : ['url_parsing', 'Input should be a valid URL, relative URL without a base'];
    }
    case 'int':
      if (typeof v !== 'number' || !Number.isFinite(v)) return ['int_type', 'Input should be a valid integer'];
      if (!Number.isInteger(v)) return ['int_from_float', 'Input should be a valid integer, got a number with a fractional part'];
      return checkRange(v, f);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? checkRange(v, f) : ['float_type', 'Input should be a valid number'];
    case 'bool':
      return typeof v === 'boolean' ? null : ['bool_type', 'Input should be a valid boolean'];
    case 'enum':
      return typeof v === 'string' && f.values.includes(v) ? null : ['enum', `Input should be ${quoteList(f.values)}`];
    case 'aspect': {
      if (typeof v !== 'string') return ['string_type', 'Input should be a valid string'];
      const a = parseAspect(v);
      if (!a) return ['value_error', 'Value error, Aspect ratio must be in the format "W:H"'];
      const r = a.w / a.h;
      return r > 21 / 9 + 1e-9 || r < 9 / 21 - 1e-9 ? ['value_error', 'Value error, Aspect ratio must be between 21:9 and 9:21'] : null;
    }
  }
}

function nullError(f: FieldSpec): [string, string] {
  const byKind: Record<FieldSpec['kind'], [string, string]> = {
    string: ['string_type', 'Input should be a valid string'],
    uri: ['string_type', 'Input should be a valid string'],
    aspect: ['string_type', 'Input should be a valid string'],
    int: ['int_type', 'Input should be a valid integer'],
    number: ['float_type', 'Input should be a valid number'],
    bool: ['bool_type', 'Input should be a valid boolean'],
    enum: ['enum', `Input should be ${quoteList(f.kind === 'enum' ? f.values : [])}`],
  };
  return byKind[f.kind];
}

/** Validates a parsed JSON body against a model spec; returns the defaults-applied input or the issues. */
export function validateBody(body: unknown, spec: ModelSpec): { ok: true; input: Record<string, unknown> } | { ok: false; issues: ValidationIssue[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, issues: [{ loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', type: 'model_attributes_type' }] };
  }
  const obj = body as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  for (const name of spec.required) {
    if (!(name in obj)) issues.push({ loc: ['body', name], msg: 'Field required', type: 'missing' });
  }
  for (const [name, f] of Object.entries(spec.fields)) {
    if (!(name in obj)) continue;
    const problem = checkField(obj[name], f);
    if (problem) issues.push({ loc: ['body', name], msg: problem[1], type: problem[0] });
  }
  if (issues.length > 0) return { ok: false, issues };
  const input: Record<string, unknown> = { ...spec.defaults };
  for (const name of Object.keys(spec.fields)) if (name in obj) input[name] = obj[name]; // unknown keys are ignored, as pydantic does
  return { ok: true, input };
}
