import { useEffect, useId, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { searchPrompts } from '../../lib/promptHistory';
import styles from './PromptField.module.css';

/** Matches shown at once: the list is for picking, not for reading the whole history. */
const MAX_SHOWN = 100;

interface Props {
  prompts: readonly string[];
  /** The button that opened the list: a click on it is not a click outside. */
  anchor: RefObject<HTMLElement | null>;
  onPick: (prompt: string) => void;
  onClose: () => void;
}

/** The recent prompts, searchable: type to narrow, ↑/↓ to choose, Enter to use, Esc to close. */
export function PromptHistory({ prompts, anchor, onPick, onClose }: Props) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const root = useRef<HTMLDivElement>(null);
  const listId = useId();
  const matches = searchPrompts(prompts, query).slice(0, MAX_SHOWN);
  const current = Math.min(active, Math.max(0, matches.length - 1));

  useEffect(() => {
    const onPointerDown = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!root.current?.contains(target) && !anchor.current?.contains(target)) onClose();
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [anchor, onClose]);

  useEffect(() => {
    root.current?.querySelector(`[data-index="${current}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const move = e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0;
    if (move !== 0) {
      e.preventDefault();
      setActive(Math.max(0, Math.min(matches.length - 1, current + move)));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const pick = matches[current];
      if (pick !== undefined) onPick(pick);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  };

  return (
    <div ref={root} className={styles.popover} role="dialog" aria-label="Recent prompts" data-testid="prompt-history">
      <input
        type="search"
        className={styles.search}
        data-testid="prompt-history-search"
        role="combobox"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={matches.length > 0 ? `${listId}-${current}` : undefined}
        aria-label="Search recent prompts"
        placeholder="Search recent prompts"
        autoFocus
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      {matches.length === 0 ? (
        <p className={styles.none}>No recent prompt has these words.</p>
      ) : (
        <ul id={listId} role="listbox" className={styles.list} aria-label="Recent prompts">
          {matches.map((p, i) => (
            <li
              key={p}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === current}
              data-index={i}
              data-testid="prompt-history-item"
              className={styles.item}
              onPointerDown={(e) => e.preventDefault()}
              onPointerEnter={() => setActive(i)}
              onClick={() => onPick(p)}
              title={p}
            >
              {p}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
