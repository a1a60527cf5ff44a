import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

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
        out.push({ path: e.instancePath || '/', message: e.message });
        if (out.length >= max) break;
      }
      return out;
    },
  };
}
