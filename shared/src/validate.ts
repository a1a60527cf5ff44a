import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Settings } from 'typebox/system';
import { NO_NUL_PATTERN, NUL_MESSAGE } from './text.js';

// TypeBox stops after 8 errors, which a union of three providers fills before reaching the third
// (a v0 request's bad prompt was never named). Only failed checks pay for the extra ones.
Settings.Set({ maxErrors: 32 });

export interface FieldError {
  path: string;
  message: string;
}

export interface CheckedSchema<T extends TSchema> {
  schema: T;
  check(value: unknown): value is Static<T>;
  errors(value: unknown, max?: number): FieldError[];
}

/** Compiles a schema once; used on both sides of every wire format (enqueue and dequeue, server and web). */
export function checked<T extends TSchema>(schema: T): CheckedSchema<T> {
  const validator = Compile(schema);
  return {
    schema,
    check: (value: unknown): value is Static<T> => validator.Check(value),
    errors(value: unknown, max = 10): FieldError[] {
      const out: FieldError[] = [];
      for (const e of validator.Errors(value)) {
        const nul = e.keyword === 'pattern' && (e.params as { pattern?: unknown }).pattern === NO_NUL_PATTERN;
        out.push({ path: e.instancePath || '/', message: nul ? NUL_MESSAGE : e.message });
        if (out.length >= max) break;
      }
      return out;
    },
  };
}
