import { randomSeed } from '../../lib/request';
import type { FormDraft } from '../../state/formDraft';
import { Field, invalidProps } from './Field';
import styles from './GenerateForm.module.css';

const SIZE_PRESETS: [number, number][] = [
  [512, 512],
  [768, 768],
  [1024, 1024],
  [1216, 832],
  [832, 1216],
];

type NumberField = 'steps' | 'cfg' | 'guidance' | 'shift' | 'width' | 'height' | 'batchSize';

interface Props {
  draft: FormDraft;
  update: (patch: Partial<FormDraft>) => void;
  samplers: string[];
  schedulers: string[];
  errors: Record<string, string>;
  /** The chosen family's form fields; undefined shows the classic SD set. */
  fields?: ReadonlySet<string>;
}

/** Keeps the current value selectable even when no online backend lists it. */
function withCurrent(options: string[], current: string): string[] {
  return current && !options.includes(current) ? [current, ...options] : options;
}

export function AdvancedSettings({ draft, update, samplers, schedulers, errors, fields }: Props) {
  const number = (name: NumberField, label: string, range: { min: number; max: number; step?: number }, id = `gen-${name}`) => (
    <Field id={id} label={label} error={errors[name]}>
      <input
        id={id}
        type="number"
        min={range.min}
        max={range.max}
        step={range.step}
        value={draft[name]}
        onChange={(e) => update({ [name]: e.target.value })}
        {...invalidProps(id, errors[name])}
      />
    </Field>
  );
  const combo = (name: 'sampler' | 'scheduler', label: string, options: string[]) => (
    <Field id={`gen-${name}`} label={label} error={errors[name]}>
      <select id={`gen-${name}`} value={draft[name]} onChange={(e) => update({ [name]: e.target.value })}>
        {withCurrent(options, draft[name]).map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </Field>
  );
  return (
    <div className={styles.advancedGrid}>
      <Field id="gen-seed" label="Seed" error={errors.seed} className={styles.span2}>
        <div className={styles.inline}>
          <input
            id="gen-seed"
            inputMode="numeric"
            autoComplete="off"
            value={draft.seed}
            disabled={draft.randomSeed}
            onChange={(e) => update({ seed: e.target.value.replace(/[^0-9]/g, '') })}
            {...invalidProps('gen-seed', errors.seed)}
          />
          <button
            type="button"
            className={styles.iconButton}
            title="New random seed"
            aria-label="New random seed"
            onClick={() => update({ seed: String(randomSeed()), randomSeed: false })}
          >
            <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" className={styles.dice}>
              <rect x="1.5" y="1.5" width="13" height="13" rx="3" fill="none" stroke="currentColor" strokeWidth="1.3" />
              <circle cx="5" cy="5" r="1.2" fill="currentColor" />
              <circle cx="11" cy="5" r="1.2" fill="currentColor" />
              <circle cx="8" cy="8" r="1.2" fill="currentColor" />
              <circle cx="5" cy="11" r="1.2" fill="currentColor" />
              <circle cx="11" cy="11" r="1.2" fill="currentColor" />
            </svg>
          </button>
        </div>
        <label className={styles.check}>
          <input type="checkbox" checked={draft.randomSeed} onChange={(e) => update({ randomSeed: e.target.checked })} />
          Random each time
        </label>
      </Field>
      {number('steps', 'Steps', { min: 1, max: 200 })}
      {(!fields || fields.has('cfg')) && number('cfg', 'CFG', { min: 0, max: 100, step: 0.5 })}
      {fields?.has('guidance') && number('guidance', 'Guidance', { min: 0, max: 100, step: 0.1 })}
      {fields?.has('shift') && number('shift', 'Shift', { min: 0, max: 100, step: 0.01 })}
      {combo('sampler', 'Sampler', samplers)}
      {combo('scheduler', 'Scheduler', schedulers)}
      {number('width', 'Width', { min: 64, max: 4096, step: 8 })}
      {number('height', 'Height', { min: 64, max: 4096, step: 8 })}
      <div className={`${styles.presets} ${styles.span2}`} role="group" aria-label="Size presets">
        {SIZE_PRESETS.map(([w, h]) => {
          const active = draft.width === String(w) && draft.height === String(h);
          return (
            <button
              key={`${w}x${h}`}
              type="button"
              className={styles.preset}
              aria-pressed={active}
              onClick={() => update({ width: String(w), height: String(h) })}
            >
              {w === h ? `${w}²` : `${w}×${h}`}
            </button>
          );
        })}
      </div>
      {number('batchSize', 'Batch size', { min: 1, max: 16 }, 'gen-batch')}
    </div>
  );
}
