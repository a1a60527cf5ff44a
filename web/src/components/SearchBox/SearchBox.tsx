import { useEffect, useRef, useState } from 'react';
import { MAX_QUERY_LENGTH } from '../../lib/galleryFilters';
import styles from './SearchBox.module.css';

const DEBOUNCE_MS = 300;

interface Props {
  /** The committed query (from the URL). */
  value: string;
  /** `replace`: refine the current history entry instead of adding one. */
  onCommit: (q: string, options: { replace: boolean }) => void;
}

/**
 * The gallery search. Typing commits after a pause; the first commit of a visit to the box adds a
 * history entry and the refinements replace it, so Back undoes a search, not a keystroke.
 */
export function SearchBox({ value, onCommit }: Props) {
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  const pushed = useRef(false);
  const committed = useRef(value);
  // Back/forward or a link changed the query: show it.
  if (value !== seen) {
    setSeen(value);
    if (value !== text.trim()) setText(value);
  }
  useEffect(() => {
    committed.current = value;
  }, [value]);

  const commit = (q: string) => {
    const next = q.trim();
    if (next === committed.current) return;
    committed.current = next;
    onCommit(next, { replace: pushed.current });
    pushed.current = true;
  };

  useEffect(() => {
    const t = setTimeout(() => commit(text), DEBOUNCE_MS);
    return () => clearTimeout(t);
    // `commit` reads refs only; re-arming on text changes is the point.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  return (
    <div className={styles.box} role="search">
      <input
        type="search"
        className={styles.input}
        data-testid="search-input"
        aria-label="Search prompts and file names"
        placeholder="Search…"
        maxLength={MAX_QUERY_LENGTH}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onFocus={() => {
          pushed.current = false;
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit(text);
          if (e.key === 'Escape' && text) {
            e.stopPropagation();
            setText('');
            commit('');
          }
        }}
      />
    </div>
  );
}
