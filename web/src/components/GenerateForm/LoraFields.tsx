import { MAX_LORAS, type ModelInfo, type TemplateFamily } from '@orchestrator/shared';
import { loaderName } from '../../hooks/useModels';
import { appendToPrompt, takesLoras } from '../../lib/request';
import type { FormDraft, LoraDraft } from '../../state/formDraft';
import { ModelPicker } from '../ModelPicker/ModelPicker';
import { fileStem, LORA_FOLDERS, LoraRow, loraIds } from './LoraRow';
import styles from './GenerateForm.module.css';

const ADD_ID = 'gen-lora-add';

interface Props {
  /** The checkpoint's family: the picker offers its LoRAs first; none for a template without LoRAs (SVD). */
  family: TemplateFamily | undefined;
  draft: FormDraft;
  update: (patch: Partial<FormDraft>) => void;
  errors: Record<string, string>;
}

/** Focuses an element once React has drawn the change that makes or moves it. */
function focusLater(id: string): void {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}

function summaryOf(rows: readonly LoraDraft[]): string {
  if (rows.length === 0) return 'none';
  return rows.map((r) => `${fileStem(r.name)} ${r.strength}`).join(' · ');
}

/**
 * The LoRAs chained after the model loader, in order: a collapsible list like Advanced, each row with
 * a strength, and a picker over the `loras` folder to add one (MAX_LORAS at most).
 */
export function LoraFields({ family, draft, update, errors }: Props) {
  if (!takesLoras(family)) return null;
  const rows = draft.loras;
  const full = rows.length >= MAX_LORAS;
  const rowError = (i: number) => errors[`loras.${i}.strength`] ?? errors[`loras.${i}.name`] ?? errors[`loras.${i}`];
  const listError = errors.loras;
  const hasError = listError !== undefined || rows.some((_r, i) => rowError(i) !== undefined);
  const setRow = (i: number, patch: Partial<LoraDraft>) => update({ loras: rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  const add = (model: ModelInfo) => {
    const name = loaderName(model);
    const at = rows.findIndex((r) => r.name === name);
    // The same LoRA twice only adds their strengths: point at the row that has it instead.
    if (at >= 0) return focusLater(loraIds(at).strength);
    update({ loras: [...rows, { name, strength: '1' }] });
  };

  const remove = (i: number) => {
    const next = rows.filter((_r, j) => j !== i);
    update({ loras: next });
    focusLater(next.length > 0 ? loraIds(Math.min(i, next.length - 1)).remove : ADD_ID);
  };

  return (
    <details
      className={styles.advanced}
      open={draft.lorasOpen || hasError}
      onToggle={(e) => {
        const open = e.currentTarget.open;
        if (open !== draft.lorasOpen) update({ lorasOpen: open });
      }}
      data-testid="lora-fields"
    >
      <summary className={styles.summary}>
        LoRAs
        {rows.length > 0 && <span className={styles.count}>{rows.length}</span>}
        <span className={styles.summaryInfo}>{summaryOf(rows)}</span>
      </summary>
      <div className={styles.loraBody}>
        {rows.length > 0 && (
          <div className={styles.loraHeader} aria-hidden="true">
            <span>Applied in this order</span>
            <span>Strength</span>
          </div>
        )}
        {rows.length > 0 && (
          <ol className={styles.loraList} aria-label="LoRAs, applied in this order">
            {rows.map((row, i) => (
              <LoraRow
                key={`${i}:${row.name}`}
                index={i}
                row={row}
                family={family}
                prompt={draft.prompt}
                error={rowError(i)}
                onStrength={(strength) => setRow(i, { strength })}
                onRemove={() => remove(i)}
                onTrigger={(word) => update({ prompt: appendToPrompt(draft.prompt, word) })}
              />
            ))}
          </ol>
        )}
        {full ? (
          <div className={styles.loraAdd}>
            <button type="button" id={ADD_ID} className={styles.secondary} disabled aria-describedby={`${ADD_ID}-hint`} data-testid="lora-add-trigger">
              Add a LoRA
            </button>
            <span id={`${ADD_ID}-hint`} className={styles.hint}>
              {MAX_LORAS} LoRAs at most: remove one to add another.
            </span>
          </div>
        ) : (
          <div className={styles.loraAdd}>
            <label htmlFor={ADD_ID} className="visually-hidden">
              Add a LoRA
            </label>
            <ModelPicker
              id={ADD_ID}
              label="LoRA"
              value=""
              onChange={add}
              folders={LORA_FOLDERS}
              defaultFamily={family}
              placeholder={rows.length === 0 ? 'Add a LoRA…' : 'Add another LoRA…'}
              testId="lora-add"
            />
          </div>
        )}
        {listError && <span className={styles.fieldError}>{listError}</span>}
      </div>
    </details>
  );
}
