import Type from 'typebox';
import type { FastifyReply } from 'fastify';
import { Text, V0_MODELS, type Job } from '@orchestrator/shared';

/* Schemas and the 202 reply shared by the site routes and their legacy aliases. */

export const Message = Text({ minLength: 1, maxLength: 20000 });
export const GenerationFields = {
  systemPrompt: Type.Optional(Text({ minLength: 1, maxLength: 20000 })),
  model: Type.Optional(Type.Enum(V0_MODELS)),
};

/** 202 with the job id and its Location, like POST /api/jobs. */
export function accepted(reply: FastifyReply, job: Job) {
  return reply.code(202).header('location', `/api/jobs/${job.id}`).send({ id: job.id, status: job.status });
}
