import type { FastifyRequest } from 'fastify';
import { badRequest } from '../errors.js';

/*
 * Routes whose body may be left out, as preValidation hooks. "Left out" means no body at all (or an
 * empty one with a JSON content-type, which the JSON parser reads as none): a body that is there is
 * the client's word and is checked as sent, so `null`, `[]`, `3` or `"x"` are a 400 like any other
 * wrong body. (`request.body ??= {}` once turned a `null` body into `{}` and ran the action.)
 */

/** A route with an object body schema whose fields are all optional: no body reads as `{}`. */
export async function optionalBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}

const isEmptyObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;

/** An action that takes no body: none, or `{}`; anything else is refused rather than silently ignored. */
export async function noBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || isEmptyObject(request.body)) return;
  throw badRequest('unexpected_body', 'This request takes no body: send none (or {})');
}
