import type { ModelInfo } from '@orchestrator/shared';
import { formatBytes } from '../../lib/format';
import { availabilityOf } from './availability';
import { FamilyBadge } from './FamilyBadge';
import styles from './ModelPicker.module.css';

/** Rows have one fixed height, so the virtual list never measures and any index scrolls exactly. */
export const ROW_HEIGHT = 68;

const SHOWN_TRIGGERS = 3;

interface Props {
  id: string;
  model: ModelInfo | undefined;
  index: number;
  setSize: number;
  top: number;
  active: boolean;
  /** The model the form has now. */
  current: boolean;
  showUnknownFamily: boolean;
  onPick: (model: ModelInfo) => void;
  onHover: (index: number) => void;
}

function familyTitle(model: ModelInfo): string | undefined {
  const why = model.familySource === 'header' ? model.familyReason : model.familySource === 'name' ? 'from the file name' : undefined;
  return [model.variant, why].filter(Boolean).join(' · ') || undefined;
}

/** One option of the model listbox; a row not loaded yet is a placeholder of the same height. */
export function ModelOption({ id, model, index, setSize, top, active, current, showUnknownFamily, onPick, onHover }: Props) {
  const position = { 'aria-setsize': setSize, 'aria-posinset': index + 1, style: { height: ROW_HEIGHT, transform: `translateY(${top}px)` } };
  if (!model) {
    return <div id={id} role="option" aria-selected={false} aria-disabled="true" aria-label="Loading…" className={`${styles.option} ${styles.placeholder}`} {...position} />;
  }
  const where = availabilityOf(model);
  const triggers = model.triggerWords ?? [];
  return (
    <div
      id={id}
      role="option"
      aria-selected={active}
      className={styles.option}
      data-active={active || undefined}
      data-current={current || undefined}
      data-testid="model-option"
      data-model-id={model.id}
      title={model.id}
      {...position}
      // Keep focus in the search box: the listbox is driven from there (aria-activedescendant).
      onMouseDown={(e) => e.preventDefault()}
      onClick={() => onPick(model)}
      onPointerMove={() => {
        if (!active) onHover(index);
      }}
    >
      <div className={styles.optionTop}>
        <span className={styles.check} aria-hidden="true">
          {current ? '✓' : ''}
        </span>
        <span className={styles.optionName}>{model.name}</span>
        {(showUnknownFamily || model.family !== 'unknown') && <FamilyBadge family={model.family} title={familyTitle(model)} />}
        <span className={styles.size}>{model.size !== undefined ? formatBytes(model.size) : ''}</span>
      </div>
      <div className={styles.optionPath}>{model.id}</div>
      <div className={styles.optionMeta}>
        <span className={styles.where} data-tone={where.tone} title={where.title}>
          {where.text}
        </span>
        {triggers.length > 0 && (
          <span className={styles.triggers} title={`Trigger words: ${triggers.join(', ')}`}>
            {triggers.slice(0, SHOWN_TRIGGERS).map((w) => (
              <span key={w} className={styles.triggerWord}>
                {w}
              </span>
            ))}
          </span>
        )}
        {triggers.length > SHOWN_TRIGGERS && <span className={styles.more}>+{triggers.length - SHOWN_TRIGGERS}</span>}
      </div>
    </div>
  );
}
