import { memo } from 'react';
import { parseChat, type ChatMessage as ChatMessageT } from '@orchestrator/shared';
import { formatShortTime } from '../../lib/format';
import { AgentCard, AgentsCard, HelpCard, JobsCard, ProblemCard } from './ChatCards';
import styles from './ChatMessage.module.css';

interface Props {
  message: ChatMessageT;
  /** Sends a command to the thread; null when this user may not (view-only, someone else's thread). */
  onCommand: ((text: string) => void) | null;
  /** Show the author (a thread several people write in). */
  showAuthor: boolean;
}

/** What was typed, with the command and its flags coloured as the input showed them. */
function Typed({ text }: { text: string }) {
  const { tokens } = parseChat(text);
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const t of tokens) {
    if (t.role === 'prompt' || t.start < at) continue;
    if (t.start > at) parts.push(text.slice(at, t.start));
    parts.push(
      <span key={t.start} className={styles.token} data-role={t.role}>
        {text.slice(t.start, t.end)}
      </span>,
    );
    at = t.end;
  }
  parts.push(text.slice(at));
  return <p className={styles.text}>{parts}</p>;
}

const inputImageUrl = (id: string) => (/^[0-9a-f]{16}$/.test(id) ? `/api/assets/${id}/thumb` : `/api/uploads/${encodeURIComponent(id)}`);

function ChatMessageView({ message, onCommand, showAuthor }: Props) {
  const card = message.card;
  const mine = message.role === 'user';
  // Help and the agents table say in their card what the text says in words.
  const text = card?.type === 'help' || card?.type === 'agents' ? null : card?.type === 'problem' ? message.text.split('\nTry: ')[0]! : message.text;
  return (
    <li className={styles.message} data-role={message.role} data-testid="chat-message" data-seq={message.seq} data-card={card?.type}>
      <div className={styles.head}>
        <span className={styles.who}>{mine ? (showAuthor && message.author ? message.author : 'You') : 'Orchestrator'}</span>
        <time className={styles.time} dateTime={message.createdAt}>
          {formatShortTime(message.createdAt)}
        </time>
      </div>
      <div className={styles.bubble} data-problem={card?.type === 'problem' || undefined}>
        {mine ? <Typed text={message.text} /> : text && <p className={styles.text}>{text}</p>}
        {message.inputImage && <img className={styles.attached} src={inputImageUrl(message.inputImage)} alt="Attached image" loading="lazy" />}
        {card?.type === 'jobs' && <JobsCard card={card} onCommand={onCommand} />}
        {card?.type === 'agents' && <AgentsCard card={card} onCommand={onCommand} />}
        {card?.type === 'agent' && <AgentCard card={card} />}
        {card?.type === 'help' && <HelpCard card={card} />}
        {card?.type === 'problem' && <ProblemCard card={card} />}
      </div>
    </li>
  );
}

export const ChatMessage = memo(ChatMessageView);
