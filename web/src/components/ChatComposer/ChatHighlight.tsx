import type { Ref } from 'react';
import type { ChatToken } from '@orchestrator/shared';
import styles from './ChatComposer.module.css';

interface Props {
  text: string;
  tokens: readonly ChatToken[];
  /** Mark the token at fault (once the user has typed past it). */
  showBad: boolean;
  ref?: Ref<HTMLDivElement>;
}

/**
 * The input's text drawn again behind the (transparent) textarea, with the grammar's tokens coloured:
 * the command, its arguments, flags and their values, and what is wrong. Same font, padding and
 * wrapping as the textarea, so every character sits under its twin.
 */
export function ChatHighlight({ text, tokens, showBad, ref }: Props) {
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const t of tokens) {
    if (t.start < at || t.role === 'prompt') continue;
    if (t.start > at) parts.push(text.slice(at, t.start));
    const role = t.role === 'bad' && !showBad ? 'plain' : t.role;
    parts.push(
      <span key={t.start} className={styles.token} data-role={role}>
        {text.slice(t.start, t.end)}
      </span>,
    );
    at = t.end;
  }
  parts.push(text.slice(at));
  return (
    <div ref={ref} className={styles.mirror} aria-hidden="true" data-testid="chat-highlight">
      {parts}
      {/* A trailing line break needs something after it to take its height. */}
      {'\u200b'}
    </div>
  );
}
