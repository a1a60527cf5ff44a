import type { Agent } from '@orchestrator/shared';
import { useSwitchAgent } from '../../hooks/useAgents';
import { useAccess } from '../../hooks/useAuth';
import { useJob } from '../../hooks/useJobs';
import { agentState, friendlyModel, promptExcerpt, shortWorker, type AgentState } from '../../lib/queueLabels';
import { useSelection } from '../../state/selection';
import { Switch } from '../Switch/Switch';
import styles from './QueuePanel.module.css';

const STATE_LABEL: Record<AgentState, string> = { online: 'online', offline: 'offline', off: 'off', draining: 'draining' };

function AgentSwitch({ agent }: { agent: Agent }) {
  const toggle = useSwitchAgent();
  // Switching agents is for admins (team mode); the server would answer 403.
  const { isAdmin } = useAccess();
  return (
    <Switch
      checked={agent.enabled}
      label={`${agent.name} ${agent.kind}`}
      testId="agent-switch"
      disabled={toggle.isPending || !isAdmin}
      onChange={(on) => toggle.mutate({ agent, on })}
    />
  );
}

function StateBadge({ agent }: { agent: Agent }) {
  const state = agentState(agent);
  return (
    <span className={styles.state} data-state={state} data-testid="agent-state">
      {STATE_LABEL[state]}
    </span>
  );
}

/** A provider (comfyui, flux, v0): its switch and how many of its jobs wait and run. */
export function ProviderRow({ agent }: { agent: Agent }) {
  const { waiting, running } = agent.queue;
  return (
    <li className={styles.agent} data-row={agent.name} data-testid="agent-row" data-agent={agent.name} data-state={agentState(agent)}>
      <div className={styles.agentMain}>
        <div className={styles.agentTop}>
          <span className={styles.agentName}>{agent.name}</span>
          <StateBadge agent={agent} />
        </div>
        <div className={styles.agentInfo}>
          <span className={styles.counts}>
            {running} running · {waiting} waiting{agent.message && ` · ${agent.message}`}
          </span>
        </div>
      </div>
      <AgentSwitch agent={agent} />
    </li>
  );
}

/** The job a backend runs now: its prompt, a button that shows it in the Inspector. */
function CurrentJob({ id, onOpenJob }: { id: string; onOpenJob?: () => void }) {
  const job = useJob(id).data;
  const select = useSelection((s) => s.select);
  const text = job ? promptExcerpt(job, 80) : id;
  return (
    <button
      type="button"
      className={styles.current}
      data-control="current"
      title={job ? promptExcerpt(job, 400) : id}
      onClick={() => {
        select({ kind: 'job', id });
        onOpenJob?.();
      }}
    >
      <span className={styles.faint}>running </span>
      {text}
    </button>
  );
}

/** A ComfyUI backend: state, the worker that drives it, what it runs, the model on its GPU, its switch. */
export function BackendRow({ agent, onOpenJob }: { agent: Agent; onOpenJob?: () => void }) {
  const inflight = agent.inflight ?? [];
  const pipelined = inflight.filter((j) => j.phase === 'pipelined').length;
  const stopping = inflight.some((j) => j.phase === 'stopping');
  const state = agentState(agent);
  return (
    <li className={styles.agent} data-row={agent.name} data-testid="agent-row" data-agent={agent.name} data-state={state}>
      <div className={styles.agentMain}>
        <div className={styles.agentTop}>
          <span className={styles.agentName} title={agent.url}>
            {agent.name}
          </span>
          <StateBadge agent={agent} />
          {agent.owner && (
            <span className={styles.owner} title={`Driven by worker ${agent.owner}`}>
              <span className="visually-hidden">worker </span>
              {shortWorker(agent.owner)}
            </span>
          )}
        </div>
        <div className={styles.agentInfo}>
          {agent.loadedModel && (
            <span className={styles.model} title={`Loaded: ${agent.loadedModel}`} data-testid="agent-model">
              {friendlyModel(agent.loadedModel)}
            </span>
          )}
          {agent.currentJob && <CurrentJob id={agent.currentJob} onOpenJob={onOpenJob} />}
          {pipelined > 0 && <span className={styles.faint}>+{pipelined} pipelined</span>}
          {stopping && <span className={styles.faint}>stopping a cancelled job</span>}
          {!agent.currentJob && agent.message && <span className={styles.faint}>{agent.message}</span>}
          {!agent.currentJob && !agent.message && state === 'online' && <span className={styles.faint}>idle</span>}
        </div>
      </div>
      <AgentSwitch agent={agent} />
    </li>
  );
}
