import Type, { type Static } from 'typebox';

/*
 * ComfyUI's answers that the worker acts on, as much of them as it reads (checked with checkJson;
 * extra fields pass). What else it reads (history, queue, system_stats, object_info) stays lenient on
 * purpose: a shape it does not expect there means "nothing yet", not a failed job.
 */

/** `POST /prompt` → 200: the prompt was queued (all of it, unless node_errors names outputs left out). */
export const ComfySubmitAnswer = Type.Object({
  prompt_id: Type.String(),
  number: Type.Optional(Type.Number()),
  node_errors: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type ComfySubmitAnswer = Static<typeof ComfySubmitAnswer>;
