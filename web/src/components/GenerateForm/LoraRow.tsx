import type { TemplateFamily } from '@orchestrator/shared';
import { modelLookup, useModel } from '../../hooks/useModels';
import { promptHas } from '../../lib/request';
import type { LoraDraft } from '../../state/formDraft';
import { FamilyBadge } from '../ModelPicker/FamilyBadge';
import { familyLabel } from '../ModelPicker/modelLabels';
import { invalidProps } from './Field';
import styles from './GenerateForm.module.css';

export const LORA_FOLDERS = ['loras'] as const;

/** Ids of a row's controls, so focus can be moved to them after a row is added or removed. */
export const loraIds = (index: number) => ({ strength: `gen-lora-${index}-strength`, remove: `gen-lora-${index}-remove` });

/** `style/ink_wash.safetensors` → `ink_wash`: a name to show until the catalogue answers. */
export function fileStem(file: string): string {
  return (file.split('/').pop() ?? file).replace(/\.[^.]+$/, '');
}

interface Props {
  index: number;
  row: LoraDraft;
  /** The checkpoint's family: a LoRA made for another one is flagged. */
  family: TemplateFamily | undefined;
  prompt: string;
  error: string | undefined;
  onStrength: (strength: string) => void;
  onRemove: () => void;
  onTrigger: (word: string) => void;
}

/** One LoRA of the form: its friendly name and family, a strength, a remove button and its trigger words. */
export function LoraRow({ index, row, family, prompt, error, onStrength, onRemove, onTrigger }: Props) {
  const info = useModel(modelLookup(row.name, LORA_FOLDERS)).data;
  const name = info?.name ?? fileStem(row.name);
  const triggers = info?.triggerWords ?? [];
  const other = info && family && info.family !== 'unknown' && info.family !== family ? info.family : undefined;
  const ids = loraIds(index);
  return (
    <li className={styles.lora} data-testid="lora-row" data-lora={row.name}>
      <div className={styles.loraMain}>
        <span className={styles.loraName}>
          <span className={styles.loraTitle} title={name}>
            {name}
          </span>
          {info && info.family !== 'unknown' && <FamilyBadge family={info.family} />}
        </span>
        <span className={styles.loraFile}>
          {other && (
            <span className={styles.loraWarn} title={`A ${familyLabel(other)} LoRA on a ${familyLabel(family!)} model may do nothing, or harm`}>
              may not fit {familyLabel(family!)} ·
            </span>
          )}
          <span className={styles.loraPath} title={row.name}>
            {row.name}
          </span>
        </span>
      </div>
      <label htmlFor={ids.strength} className="visually-hidden">
        {name} strength
      </label>
      <input
        id={ids.strength}
        className={styles.loraStrength}
        type="number"
        min={-10}
        max={10}
        step={0.05}
        value={row.strength}
        onChange={(e) => onStrength(e.target.value)}
        data-testid="lora-strength"
        {...invalidProps(ids.strength, error)}
      />
      <button id={ids.remove} type="button" className={styles.iconButton} aria-label={`Remove ${name}`} title="Remove" onClick={onRemove} data-testid="lora-remove">
        <svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true">
          <path d="M3 3l6 6M9 3 3 9" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
        </svg>
      </button>
      {error && (
        <span id={`${ids.strength}-error`} className={`${styles.fieldError} ${styles.loraLine}`}>
          {error}
        </span>
      )}
      {triggers.length > 0 && (
        <div className={`${styles.loraTriggers} ${styles.loraLine}`} role="group" aria-label={`Trigger words of ${name}`}>
          <span className={styles.hint}>Add to prompt:</span>
          {triggers.map((word) => {
            const used = promptHas(prompt, word);
            return (
              <button
                key={word}
                type="button"
                className={styles.preset}
                data-used={used || undefined}
                title={used ? `“${word}” is in the prompt; add it again` : `Append “${word}” to the prompt`}
                onClick={() => onTrigger(word)}
                data-testid="lora-trigger"
              >
                {used && <span aria-hidden="true">✓ </span>}
                {word}
              </button>
            );
          })}
        </div>
      )}
    </li>
  );
}
