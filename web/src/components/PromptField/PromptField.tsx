import { useRef, useState, type KeyboardEvent } from 'react';
import { recallStep, type Recall } from '../../lib/promptHistory';
import { usePromptHistory } from '../../state/promptHistory';
import { Field, invalidProps } from '../GenerateForm/Field';
import { PromptHistory } from './PromptHistory';
import styles from './PromptField.module.css';

interface Props {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  rows?: number;
  placeholder?: string;
  error?: string;
  testId?: string;
}

/**
 * A prompt box with the recent prompts at hand: ↑/↓ in an empty (or recalled, unchanged) box walk
 * through them, and "Recent" opens a searchable list. Prompts are remembered when a job is accepted.
 */
export function PromptField({ id, label, value, onChange, rows = 4, placeholder, error, testId }: Props) {
  const prompts = usePromptHistory((s) => s.prompts);
  const [recall, setRecall] = useState<Recall | null>(null);
  const [open, setOpen] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  const put = (text: string) => {
    onChange(text);
    requestAnimationFrame(() => {
      const el = textarea.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if ((e.key !== 'ArrowUp' && e.key !== 'ArrowDown') || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
    const step = recallStep(prompts, value, recall, e.key === 'ArrowUp' ? 'older' : 'newer');
    if (!step) return;
    e.preventDefault();
    setRecall(step.recall);
    put(step.value);
  };

  const recent = prompts.length > 0 && (
    <button
      ref={button}
      type="button"
      className={styles.recent}
      data-testid={`${testId ?? id}-history`}
      aria-haspopup="dialog"
      aria-expanded={open}
      title="Recent prompts (↑/↓ in an empty prompt box go through them too)"
      onClick={() => setOpen(!open)}
    >
      Recent <span className={styles.count}>{prompts.length}</span>
    </button>
  );

  return (
    <Field id={id} label={label} error={error} aside={recent}>
      <textarea
        ref={textarea}
        id={id}
        data-testid={testId}
        rows={rows}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        aria-keyshortcuts="ArrowUp ArrowDown"
        {...invalidProps(id, error)}
      />
      {open && (
        <PromptHistory
          prompts={prompts}
          anchor={button}
          onPick={(p) => {
            setOpen(false);
            setRecall(null);
            put(p);
          }}
          onClose={() => {
            setOpen(false);
            button.current?.focus();
          }}
        />
      )}
    </Field>
  );
}
