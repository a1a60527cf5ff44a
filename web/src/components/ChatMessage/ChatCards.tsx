import { useQuery } from '@tanstack/react-query';
import { CHAT_COMMANDS, CHAT_FLAGS, findCommand, quoteToken, type Agent, type AgentList, type ChatCard } from '@orchestrator/shared';
import { queryKeys } from '../../api/keys';
import { useAccess } from '../../hooks/useAuth';
import { agentState, friendlyModel, shortWorker } from '../../lib/queueLabels';
import { useChat } from '../../state/chat';
import { ChatJobCard } from '../ChatJobCard/ChatJobCard';
import styles from './ChatMessage.module.css';

type CardOf<T extends ChatCard['type']> = Extract<ChatCard, { type: T }>;

/** A button that puts a command in the input (to edit, then send). */
function Suggest({ text, label }: { text: string; label?: string }) {
  const putDraft = useChat((s) => s.putDraft);
  return (
    <button type="button" className={styles.suggest} onClick={() => putDraft(text)} data-testid="chat-suggest" title="Put this in the input">
      {label ?? text}
    </button>
  );
}

export function JobsCard({ card, onCommand }: { card: CardOf<'jobs'>; onCommand: ((text: string) => void) | null }) {
  return (
    <div className={styles.jobs} data-count={Math.min(card.jobs.length, 2)}>
      {card.jobs.map((j) => (
        <ChatJobCard key={j.id} jobId={j.id} n={j.n} onCommand={onCommand} />
      ))}
    </div>
  );
}

const STATE_LABEL = { online: 'on', offline: 'on · offline', off: 'off', draining: 'off · draining' } as const;

/** The agents as the command saw them, with any newer state the page has heard of (agent events). */
export function AgentsCard({ card, onCommand }: { card: CardOf<'agents'>; onCommand: ((text: string) => void) | null }) {
  const { isAdmin } = useAccess();
  const live = useQuery<AgentList>({ queryKey: queryKeys.agents, enabled: false }).data;
  const agents: Agent[] = card.agents.map((a) => live?.agents.find((l) => l.name === a.name) ?? a);
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table} data-testid="chat-agents">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">State</th>
            {card.detailed && <th scope="col">Status</th>}
            {isAdmin && onCommand && (
              <th scope="col">
                <span className={styles.srOnly}>Switch</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => {
            const state = agentState(a);
            return (
              <tr key={a.name} data-state={state}>
                <td>
                  <span className={styles.agentName}>{a.name}</span>
                  <span className={styles.faint}> {a.kind}</span>
                </td>
                <td className={styles.agentState} data-state={state}>
                  {STATE_LABEL[state]}
                </td>
                {card.detailed && (
                  <td className={styles.muted}>
                    {[
                      a.busy ? 'busy' : 'idle',
                      `${a.queue.waiting} waiting`,
                      a.loadedModel ? friendlyModel(a.loadedModel) : null,
                      a.owner ? shortWorker(a.owner) : null,
                      a.message ?? null,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </td>
                )}
                {isAdmin && onCommand && (
                  <td>
                    <button type="button" className={styles.smallButton} onClick={() => onCommand(`/agent-${a.enabled ? 'off' : 'on'} ${a.name}`)}>
                      {a.enabled ? 'Switch off' : 'Switch on'}
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function AgentCard({ card }: { card: CardOf<'agent'> }) {
  const state = agentState(card.agent);
  return (
    <p className={styles.agentLine} data-testid="chat-agent">
      <span className={styles.agentName}>{card.agent.name}</span> <span className={styles.agentState} data-state={state}>{STATE_LABEL[state]}</span>
    </p>
  );
}

/** /help: every command with its form and examples (a click puts one in the input), or one command with its flags. */
export function HelpCard({ card }: { card: CardOf<'help'> }) {
  const one = card.topic ? findCommand(card.topic) : undefined;
  const commands = one ? [one] : Object.values(CHAT_COMMANDS);
  return (
    <div className={styles.help} data-testid="chat-help">
      <dl className={styles.helpList}>
        {commands.map((c) => (
          <div key={c.name} className={styles.helpItem}>
            <dt className={styles.usage}>{c.usage}</dt>
            <dd className={styles.summary}>
              {c.summary}
              <span className={styles.examples}>
                {c.examples.filter((e) => !e.includes('(')).map((e) => (
                  <Suggest key={e} text={e} />
                ))}
              </span>
            </dd>
          </div>
        ))}
      </dl>
      {one && one.flags.length > 0 && (
        <dl className={styles.helpList}>
          {one.flags.map((f) => (
            <div key={f} className={styles.helpItem}>
              <dt className={styles.usage}>{CHAT_FLAGS[f].usage}</dt>
              <dd className={styles.summary}>{CHAT_FLAGS[f].summary}</dd>
            </div>
          ))}
        </dl>
      )}
      {!one && <p className={styles.muted}>Flags (Midjourney style): --ar 16:9 --size 1216x832 --seed 7 --steps 30 --cfg 6.5 --neg "…" --sampler dpmpp_2m --raw --n 4. Plain text is a prompt for the thread’s target.</p>}
    </div>
  );
}

/** What could not run: the nearest valid form (and the candidates) to put in the input. */
export function ProblemCard({ card }: { card: CardOf<'problem'> }) {
  const first = card.candidates?.[0];
  const variants =
    card.hint && first && card.candidates && card.candidates.length > 1
      ? card.candidates.map((c) => {
          const quoted = quoteToken(first);
          return card.hint!.includes(quoted) ? card.hint!.replace(quoted, quoteToken(c)) : card.hint!.replace(first, c);
        })
      : card.hint
        ? [card.hint]
        : [];
  if (variants.length === 0) return null;
  return (
    <div className={styles.problem} data-testid="chat-problem-card">
      <span className={styles.muted}>{variants.length > 1 ? 'Did you mean:' : 'Try:'}</span>
      {variants.map((v) => (
        <Suggest key={v} text={v.endsWith(' ') || v.includes('<') ? v : `${v}`} />
      ))}
    </div>
  );
}
