import { useCallback, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ModelInfo } from '@orchestrator/shared';
import { ApiError } from '../../api/client';
import { loaderName, modelLookup, useModel, useRememberModel } from '../../hooks/useModels';
import { formatBytes } from '../../lib/format';
import { availabilityOf } from './availability';
import { FamilyBadge } from './FamilyBadge';
import { ModelPickerPopup } from './ModelPickerPopup';
import styles from './ModelPicker.module.css';

export interface ModelPickerProps {
  /** The trigger's id: a <label htmlFor> names it. */
  id: string;
  /** What is picked ("Model", "VAE"): names the popup and its list. */
  label: string;
  /** The chosen file as ComfyUI's loaders name it (relative to its folder); '' for none. */
  value: string;
  onChange: (model: ModelInfo) => void;
  /** Catalogue folders to offer, in catalogue order; undefined: every folder. */
  folders?: readonly string[];
  /** Offer only this family (SVD for the video form). */
  family?: string;
  /**
   * Families matter to this choice (models, not encoders or VAEs): the popup has a family filter (when
   * no `family` is fixed) and models without a detected family say "Unknown".
   */
  familyFilter?: boolean;
  /** The family filter's choice when the popup opens (the user can still pick "Any family"). */
  defaultFamily?: string | undefined;
  placeholder?: string;
  /** On a hidden input holding the value (the form's field); the trigger gets `<testId>-trigger`. */
  testId?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

/** The printable key that opens the popup and starts the search with itself. */
function typedChar(e: KeyboardEvent): string | null {
  return e.key.length === 1 && e.key !== ' ' && !e.ctrlKey && !e.metaKey && !e.altKey ? e.key : null;
}

/**
 * A searchable model chooser: a combobox button with the chosen model's friendly name and family,
 * opening a popover (a full-screen sheet on phones) over the server's model catalogue.
 */
export function ModelPicker({ id, label, value, onChange, folders, family, familyFilter = true, defaultFamily, placeholder = 'Choose a model…', testId, ...aria }: ModelPickerProps) {
  const [open, setOpen] = useState<{ text: string } | null>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const popupId = useId();
  const selected = useModel(modelLookup(value, folders));
  const remember = useRememberModel();

  const close = useCallback((returnFocus: boolean) => {
    setOpen(null);
    if (returnFocus) triggerRef.current?.focus();
  }, []);

  const pick = useCallback(
    (model: ModelInfo) => {
      remember(modelLookup(loaderName(model), folders), model);
      onChange(model);
      close(true);
    },
    [remember, folders, onChange, close],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (open) return;
    const char = typedChar(e);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || char) {
      e.preventDefault();
      setOpen({ text: char ?? '' });
    }
  };

  const info = selected.data;
  const missing = value !== '' && selected.error instanceof ApiError && selected.error.status === 404;
  const where = info ? availabilityOf(info) : null;

  return (
    <div className={styles.picker}>
      <button
        ref={triggerRef}
        id={id}
        type="button"
        role="combobox"
        aria-haspopup="dialog"
        aria-expanded={open !== null}
        aria-controls={open ? popupId : undefined}
        className={styles.trigger}
        title={info?.id ?? (value || undefined)}
        onClick={() => (open ? close(false) : setOpen({ text: '' }))}
        onKeyDown={onKeyDown}
        data-testid={testId ? `${testId}-trigger` : undefined}
        {...aria}
      >
        <span className={styles.triggerMain}>
          <span className={styles.triggerName} data-placeholder={value === '' || undefined}>
            {info?.name ?? (value || placeholder)}
          </span>
          {info && (familyFilter || info.family !== 'unknown') && <FamilyBadge family={info.family} />}
        </span>
        {value !== '' && (
          <span className={styles.triggerSub}>
            {missing ? (
              <span className={styles.where} data-tone="warn">
                not in the model catalogue
              </span>
            ) : (
              <>
                <span className={styles.triggerPath}>{info?.id ?? value}</span>
                {info?.size !== undefined && <span>{formatBytes(info.size)}</span>}
                {where && (
                  <span className={styles.where} data-tone={where.tone} title={where.title}>
                    {where.text}
                  </span>
                )}
              </>
            )}
          </span>
        )}
        <svg className={styles.chevron} viewBox="0 0 12 12" width="12" height="12" aria-hidden="true">
          <path d="M3 4.5 6 7.5 9 4.5" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </button>
      {testId && <input type="hidden" value={value} data-testid={testId} />}
      {open && (
        <ModelPickerPopup
          id={popupId}
          label={label}
          anchorRef={triggerRef}
          folders={folders}
          family={family}
          familyFilter={familyFilter}
          defaultFamily={defaultFamily}
          value={value}
          initialText={open.text}
          onPick={pick}
          onClose={close}
        />
      )}
    </div>
  );
}
