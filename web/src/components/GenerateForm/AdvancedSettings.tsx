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
  const extra = (name: 'shift' | 'guidance', label: string, step: number) =>
    fields?.has(name) && (
      <Field id={`gen-${name}`} label={label} error={errors[name]}>
        <input
          id={`gen-${name}`}
          type="number"
          min={0}
          max={100}
          step={step}
          value={draft[name]}
          onChange={(e) => update({ [name]: e.target.value })}
          {...invalidProps(`gen-${name}`, errors[name])}
        />
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
      <Field id="gen-steps" label="Steps" error={errors.steps}>
        <input
          id="gen-steps"
          type="number"
          min={1}
          max={200}
          value={draft.steps}
          onChange={(e) => update({ steps: e.target.value })}
          {...invalidProps('gen-steps', errors.steps)}
        />
      </Field>
      {(!fields || fields.has('cfg')) && (
        <Field id="gen-cfg" label="CFG" error={errors.cfg}>
          <input
            id="gen-cfg"
            type="number"
            min={0}
            max={100}
            step={0.5}
            value={draft.cfg}
            onChange={(e) => update({ cfg: e.target.value })}
            {...invalidProps('gen-cfg', errors.cfg)}
          />
        </Field>
      )}
      {extra('guidance', 'Guidance', 0.1)}
      {extra('shift', 'Shift', 0.01)}
      <Field id="gen-sampler" label="Sampler" error={errors.sampler}>
        <select id="gen-sampler" value={draft.sampler} onChange={(e) => update({ sampler: e.target.value })}>
          {withCurrent(samplers, draft.sampler).map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </Field>
      <Field id="gen-scheduler" label="Scheduler" error={errors.scheduler}>
        <select id="gen-scheduler" value={draft.scheduler} onChange={(e) => update({ scheduler: e.target.value })}>
          {withCurrent(schedulers, draft.scheduler).map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </Field>
      <Field id="gen-width" label="Width" error={errors.width}>
        <input
          id="gen-width"
          type="number"
          min={64}
          max={4096}
          step={8}
          value={draft.width}
          onChange={(e) => update({ width: e.target.value })}
          {...invalidProps('gen-width', errors.width)}
        />
      </Field>
      <Field id="gen-height" label="Height" error={errors.height}>
        <input
          id="gen-height"
          type="number"
          min={64}
          max={4096}
          step={8}
          value={draft.height}
          onChange={(e) => update({ height: e.target.value })}
          {...invalidProps('gen-height', errors.height)}
        />
      </Field>
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
      <Field id="gen-batch" label="Batch size" error={errors.batchSize}>
        <input
          id="gen-batch"
          type="number"
          min={1}
          max={16}
          value={draft.batchSize}
          onChange={(e) => update({ batchSize: e.target.value })}
          {...invalidProps('gen-batch', errors.batchSize)}
        />
      </Field>
    </div>
  );
}
