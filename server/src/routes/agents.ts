import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Agent, AgentList, AgentName } from '@orchestrator/shared';
import type { AgentService } from '../scheduling/agent-service.js';
import { noBody } from '../http/optional-body.js';
import { errorResponses } from './schemas.js';

const SwitchParams = Type.Object({ name: AgentName, state: Type.Enum(['on', 'off']) }, { additionalProperties: false });

export const agentRoutes: FastifyPluginAsyncTypebox<{ agents: AgentService }> = async (app, { agents }) => {
  app.get(
    '/api/agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'Providers and ComfyUI backends: state, current job, loaded model, queue',
        response: { 200: AgentList },
      },
    },
    async () => ({ agents: await agents.list() }),
  );

  app.post(
    '/api/agents/:name/:state',
    {
      schema: {
        tags: ['agents'],
        summary: 'Switch a provider or backend on, or off (drain: its running job finishes, nothing new starts)',
        description: 'Every worker honours the switch within a second; an `agent.status` event announces it. Unknown name → 404 listing the agents.',
        params: SwitchParams,
        response: { 200: Agent, ...errorResponses(400, 404) },
      },
      preValidation: noBody,
    },
    async (request) => agents.set(request.params.name, request.params.state === 'on'),
  );
};
