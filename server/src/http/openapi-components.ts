import Type, { type TSchema } from 'typebox';
import * as shared from '@orchestrator/shared';
import { Job, Page } from '@orchestrator/shared';

/*
 * Named schemas in the OpenAPI document. The wire formats are TypeBox schemas exported by
 * @orchestrator/shared, and their export names are the names clients know them by (Job, Asset,
 * JobRequest, ApiError…). The routes keep using them inline: an `$id` on a schema that Fastify also
 * compiles (TypeBox's validator, fast-json-stringify) fails as soon as one route schema holds the same
 * schema twice. So the names are applied to the generated document only: @fastify/swagger converts
 * every named schema into components.schemas as it converts the routes' schemas, and `hoistNamedSchemas`
 * then replaces each schema in the document that is structurally equal to a named one with a `$ref`,
 * and drops the named schemas nothing refers to. Validation and serialization never see any of it.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Instances of generic shared schemas that have no export of their own. */
const EXTRA: Readonly<Record<string, TSchema>> = {
  JobPage: Page(Job),
};

/**
 * Every PascalCase export of @orchestrator/shared that is an object, record, union or intersection
 * schema (strings and enums stay inline: a name on `{type: string}` would claim unrelated fields).
 */
export function namedSchemas(): Record<string, TSchema> {
  const out: Record<string, TSchema> = {};
  for (const [name, value] of Object.entries(shared as Record<string, unknown>)) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(name) || !Type.IsSchema(value)) continue;
    if (Type.IsObject(value) || Type.IsRecord(value) || Type.IsUnion(value) || Type.IsIntersect(value)) out[name] = value;
  }
  return { ...out, ...EXTRA };
}

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with sorted keys: two schemas are the same when these are equal. */
function canonical(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k]!)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Keywords whose value is a schema, a list of schemas, or a map of name → schema (JSON Schema 2020-12). */
const ONE = ['items', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else'];
const LIST = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const MAP = ['properties', 'patternProperties', 'dependentSchemas', '$defs'];

/** Calls `visit` on every direct subschema of a schema, with a setter to replace it. */
function eachSubschema(schema: JsonObject, visit: (sub: JsonObject, replace: (next: JsonObject) => void) => void): void {
  for (const key of ONE) {
    const sub = schema[key];
    if (isObject(sub)) visit(sub, (next) => (schema[key] = next));
  }
  for (const key of LIST) {
    const subs = schema[key];
    if (Array.isArray(subs)) subs.forEach((sub, i) => isObject(sub) && visit(sub, (next) => (subs[i] = next)));
  }
  for (const key of MAP) {
    const map = schema[key];
    if (isObject(map)) for (const [name, sub] of Object.entries(map)) if (isObject(sub)) visit(sub, (next) => (map[name] = next));
  }
}

/**
 * Replaces, outermost first, every schema of the document's request bodies, responses and named schemas
 * that equals a named schema with a `$ref` to it; then keeps only the named schemas something refers to.
 * Two named schemas that are the same keep the name that sorts first. Changes the document in place.
 */
export function hoistNamedSchemas(document: object): void {
  const doc = document as JsonObject;
  const components = isObject(doc.components) ? doc.components : (doc.components = {});
  const schemas = isObject(components.schemas) ? components.schemas : (components.schemas = {});
  const byShape = new Map<string, string>();
  for (const name of Object.keys(schemas).sort()) {
    const schema = schemas[name];
    if (!isObject(schema)) continue;
    const shape = canonical(schema);
    if (!byShape.has(shape)) byShape.set(shape, name);
  }
  const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

  const hoist = (schema: JsonObject, replace: (next: JsonObject) => void): void => {
    const name = byShape.get(canonical(schema));
    if (name) return replace(ref(name));
    eachSubschema(schema, hoist);
  };

  for (const [name, schema] of Object.entries(schemas)) if (isObject(schema) && byShape.get(canonical(schema)) === name) eachSubschema(schema, hoist);
  forEachMediaSchema(doc, hoist);

  // Keep what the operations reach, directly or through other named schemas.
  const used = new Set<string>();
  const collect = (v: Json): void => {
    if (Array.isArray(v)) return v.forEach(collect);
    if (!isObject(v)) return;
    const target = typeof v.$ref === 'string' ? /^#\/components\/schemas\/(.+)$/.exec(v.$ref)?.[1] : undefined;
    if (target !== undefined && !used.has(target)) {
      used.add(target);
      collect(schemas[target] ?? null);
    }
    for (const child of Object.values(v)) collect(child);
  };
  collect(doc.paths ?? null);
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}

/** Every media type schema of the operations: request bodies and responses. */
function forEachMediaSchema(doc: JsonObject, visit: (schema: JsonObject, replace: (next: JsonObject) => void) => void): void {
  const contents = (holder: Json | undefined): void => {
    if (!isObject(holder) || !isObject(holder.content)) return;
    for (const media of Object.values(holder.content)) {
      if (isObject(media) && isObject(media.schema)) visit(media.schema, (next) => (media.schema = next));
    }
  };
  if (!isObject(doc.paths)) return;
  for (const item of Object.values(doc.paths)) {
    if (!isObject(item)) continue;
    for (const op of Object.values(item)) {
      if (!isObject(op)) continue;
      contents(op.requestBody);
      if (isObject(op.responses)) for (const response of Object.values(op.responses)) contents(response);
    }
  }
}
