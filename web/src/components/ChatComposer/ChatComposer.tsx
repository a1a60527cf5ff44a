import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent } from 'react';
import { completeChat, parseChat, type ChatCompletion, type ChatTarget } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { useSendMessage } from '../../hooks/useChat';
import { useUpload } from '../../hooks/useUpload';
import { commandOfTarget, commandTarget, formTarget, targetLabel } from '../../lib/chatTarget';
import { useChat } from '../../state/chat';
import type { InputImage } from '../ImageInput/ImageInput';
import { ChatHighlight } from './ChatHighlight';
import { useCompletionSources } from './useCompletionSources';
import styles from './ChatComposer.module.css';

interface Props {
  threadId: string | null;
  /** The thread's target; none yet: the form's selection is used. */
  target: ChatTarget | undefined;
  /** Why nothing can be sent here (view-only, someone else's thread); null when it can. */
  readOnly: string | null;
}

const MAX_ROWS_PX = 180;

/** Where the caret is: on the first line of the text (↑ recalls), or on the last (↓ goes forward). */
const onFirstLine = (el: HTMLTextAreaElement) => !el.value.slice(0, el.selectionStart).includes('\n');
const onLastLine = (el: HTMLTextAreaElement) => !el.value.slice(el.selectionEnd).includes('\n');

/**
 * The chat's input: slash commands highlighted as they are typed (the shared grammar), an autocomplete
 * list for commands, flags, their values and model names (Tab/↑/↓/Enter/Esc), ↑ for the previous
 * message, Shift+Enter for a new line, and an image attached by paste, drop or the picker.
 */
export function ChatComposer({ threadId, target, readOnly }: Props) {
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [image, setImage] = useState<InputImage | null>(null);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [recall, setRecall] = useState<number | null>(null);
  const [dragging, setDragging] = useState(false);
  const areaRef = useRef<HTMLTextAreaElement>(null);
  const mirrorRef = useRef<HTMLDivElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const listId = useId();
  const hintId = useId();
  const send = useSendMessage();
  const upload = useUpload();
  const history = useChat((s) => s.history);
  const draft = useChat((s) => s.draft);
  const attachment = useChat((s) => s.attachment);

  const threadTarget = target ?? formTarget();
  const plainCommand = commandOfTarget(threadTarget);
  const sources = useCompletionSources(text, plainCommand);
  const parse = useMemo(() => parseChat(text, plainCommand ? { plainCommand } : {}), [text, plainCommand]);
  // What the message will go to: a generating command names its own target; others (/help, /cancel…) none.
  const shown = commandTarget(text) ?? (text.trimStart().startsWith('/') ? undefined : threadTarget);
  const completion: ChatCompletion | null = useMemo(() => {
    if (readOnly || dismissed === text) return null;
    return completeChat(text, caret, sources);
  }, [text, caret, sources, dismissed, readOnly]);
  const open = completion !== null && completion.items.length > 0;
  const activeIndex = open ? Math.min(active, completion.items.length - 1) : 0;

  // A problem is shown once the user has typed past it (not while the command is still being typed).
  const problem = !parse.ok && parse.problem.span && parse.problem.span.end < text.trimEnd().length ? parse.problem : null;

  // Text or an image a card hands over (a hint, an example, "Use as input"), each taken once.
  const [seen, setSeen] = useState({ draft: draft?.nonce ?? 0, attachment: attachment?.nonce ?? 0 });
  const newDraft = draft && draft.nonce !== seen.draft ? draft : null;
  const newAttachment = attachment && attachment.nonce !== seen.attachment ? attachment : null;
  if (newDraft || newAttachment) {
    setSeen({ draft: draft?.nonce ?? 0, attachment: attachment?.nonce ?? 0 });
    if (newDraft) {
      setText(newDraft.text);
      setCaret(newDraft.text.length);
    }
    if (newAttachment) setImage(newAttachment.image);
  }
  useEffect(() => {
    if (!draft) return;
    requestAnimationFrame(() => {
      const el = areaRef.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    });
  }, [draft]);

  // Grow with the text, up to a few lines.
  useEffect(() => {
    const el = areaRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_ROWS_PX)}px`;
  }, [text]);

  // The caret goes where a programmatic change put it in the same commit as the new value: a key typed
  // right after Enter/Tab (before a later frame) must land after the inserted text, not at the end.
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const at = pendingCaret.current;
    if (at === null) return;
    pendingCaret.current = null;
    areaRef.current?.setSelectionRange(at, at);
  });

  const setValue = (value: string, at = value.length) => {
    // The same text renders nothing (no layout effect): place the caret now.
    if (value === text) areaRef.current?.setSelectionRange(at, at);
    else pendingCaret.current = at;
    setText(value);
    setCaret(at);
  };

  const accept = (index: number) => {
    if (!completion) return;
    const item = completion.items[index];
    if (!item) return;
    const next = `${text.slice(0, completion.from)}${item.insert}${text.slice(completion.to).replace(/^ /, '')}`;
    setValue(next, completion.from + item.insert.length);
    setActive(0);
    areaRef.current?.focus();
  };

  const submit = () => {
    const value = text.trim();
    if (!value || send.isPending || readOnly) return;
    const body = { text: value, ...(image ? { inputImage: image.id } : {}), ...(!target && threadTarget ? { target: threadTarget } : {}) };
    send.mutate(
      { threadId, body },
      {
        onSuccess: () => {
          setText('');
          setCaret(0);
          setImage(null);
          setRecall(null);
        },
      },
    );
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    const el = e.currentTarget;
    if (open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = completion.items.length;
        setActive((activeIndex + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return;
      }
      if (e.key === 'Tab' && !e.shiftKey) {
        e.preventDefault();
        accept(activeIndex);
        return;
      }
      if (e.key === 'Enter' && !e.shiftKey) {
        const item = completion.items[activeIndex]!;
        // The word is already complete: Enter sends instead of completing it again.
        if (item.insert.trim() !== text.slice(completion.from, completion.to)) {
          e.preventDefault();
          accept(activeIndex);
          return;
        }
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setDismissed(text);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
      return;
    }
    if (e.key === 'ArrowUp' && history.length > 0 && onFirstLine(el) && (text === '' || recall !== null)) {
      e.preventDefault();
      const i = Math.max(0, (recall ?? history.length) - 1);
      setRecall(i);
      setValue(history[i]!);
      return;
    }
    if (e.key === 'ArrowDown' && recall !== null && onLastLine(el)) {
      e.preventDefault();
      const i = recall + 1;
      if (i >= history.length) {
        setRecall(null);
        setValue('');
      } else {
        setRecall(i);
        setValue(history[i]!);
      }
    }
  };

  const attachFile = (file: File | undefined) => {
    if (!file) return;
    if (!file.type.startsWith('image/')) {
      upload.reset();
      return;
    }
    upload.mutate(file, { onSuccess: (u) => setImage({ id: u.id, url: u.url, label: file.name || 'pasted image' }) });
  };

  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const file = [...e.clipboardData.files].find((f) => f.type.startsWith('image/'));
    if (!file) return;
    e.preventDefault();
    attachFile(file);
  };

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (!file) return;
    // Taken here: the page's own drop (load a PNG's settings into the form) leaves it alone.
    e.preventDefault();
    attachFile(file);
  };

  const error = send.error ?? upload.error;
  const activeId = open ? `${listId}-${activeIndex}` : undefined;

  return (
    <div
      className={styles.composer}
      data-testid="chat-composer"
      data-dragging={dragging || undefined}
      onDragOver={(e) => {
        if (readOnly || !e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={readOnly ? undefined : onDrop}
    >
      {open && (
        <ul className={styles.popup} id={listId} role="listbox" aria-label="Suggestions" data-testid="chat-suggestions">
          {completion.items.map((item, i) => (
            <li
              key={`${item.kind}:${item.label}`}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === activeIndex}
              className={styles.option}
              data-testid="chat-suggestion"
              onMouseDown={(e) => {
                e.preventDefault();
                accept(i);
              }}
              onMouseEnter={() => setActive(i)}
            >
              <span className={styles.optionLabel} data-kind={item.kind}>
                {item.label}
              </span>
              {item.detail && <span className={styles.optionDetail}>{item.detail}</span>}
            </li>
          ))}
        </ul>
      )}
      {readOnly && <p className={styles.readOnly}>{readOnly}</p>}
      <div className={styles.meta}>
        {shown && !readOnly && (
          <span className={styles.target} data-testid="chat-target" title="Plain text is a prompt for this; a command (/apex-comfy, /apex-flux, /v0, /video) changes it">
            → {targetLabel(shown)}
            {!target && shown === threadTarget && <span className={styles.faint}> (from the form)</span>}
          </span>
        )}
        <span className={styles.keys} aria-hidden="true">
          / commands · Tab completes · ↑ last
        </span>
      </div>
      {image && (
        <div className={styles.attachment} data-testid="chat-attachment">
          <img src={image.url} alt="" className={styles.attachmentThumb} />
          <span className={styles.attachmentName}>{image.label}</span>
          <button type="button" className={styles.link} onClick={() => setImage(null)} aria-label="Remove the attached image">
            Remove
          </button>
        </div>
      )}
      <div className={styles.row}>
        <button
          type="button"
          className={styles.iconButton}
          onClick={() => fileRef.current?.click()}
          disabled={readOnly !== null || upload.isPending}
          aria-label="Attach an image"
          title="Attach an image (or paste or drop one)"
        >
          {upload.isPending ? '…' : '+'}
        </button>
        <input
          ref={fileRef}
          type="file"
          accept="image/png,image/jpeg,image/webp"
          hidden
          onChange={(e) => {
            attachFile(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
        <div className={styles.field}>
          <ChatHighlight ref={mirrorRef} text={text} tokens={parse.tokens} showBad={problem !== null} />
          <textarea
            ref={areaRef}
            className={styles.input}
            rows={1}
            value={text}
            placeholder={readOnly ?? 'Message or /command'}
            disabled={readOnly !== null}
            data-testid="chat-input"
            role="combobox"
            aria-label="Chat message"
            aria-expanded={open}
            aria-controls={open ? listId : undefined}
            aria-activedescendant={activeId}
            aria-autocomplete="list"
            aria-describedby={problem ? hintId : undefined}
            spellCheck={false}
            onChange={(e) => {
              setText(e.target.value);
              setCaret(e.target.selectionStart);
              setActive(0);
              setRecall(null);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onScroll={(e) => {
              if (mirrorRef.current) mirrorRef.current.scrollTop = e.currentTarget.scrollTop;
            }}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
            onBlur={() => setDismissed(text)}
            onFocus={() => setDismissed(null)}
          />
        </div>
        <button type="button" className={styles.send} onClick={submit} disabled={readOnly !== null || send.isPending || text.trim() === ''} data-testid="chat-send">
          {send.isPending ? '…' : 'Send'}
        </button>
      </div>
      {problem && (
        <p id={hintId} className={styles.problem} data-testid="chat-problem">
          {problem.message}
        </p>
      )}
      {error && (
        <p className={styles.error} role="alert">
          {errorMessage(error)}
        </p>
      )}
    </div>
  );
}
