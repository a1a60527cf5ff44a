import { MAX_CONTROLNETS, type ModelInfo, type TemplateFamily } from '@orchestrator/shared';
import { loaderName } from '../../hooks/useModels';
import type { ControlNetDraft, FormDraft } from '../../state/formDraft';
import { ImageInput } from '../ImageInput/ImageInput';
import { ModelPicker } from '../ModelPicker/ModelPicker';
import { Field, invalidProps } from './Field';
import styles from './GenerateForm.module.css';

const CONTROLNET_FOLDERS = ['controlnet'] as const;

interface Props {
  family: TemplateFamily | undefined;
  draft: FormDraft;
  update: (patch: Partial<FormDraft>) => void;
  errors: Record<string, string>;
  /** Some online backend has the Canny node (core ComfyUI, but its module needs kornia). */
  canny: boolean;
}

const NEW_ROW: ControlNetDraft = { model: '', image: null, preprocessor: 'none', strength: '1', start: '0', end: '1' };

function focusLater(id: string): void {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}

/**
 * Stacked ControlNets (up to four), applied in order: a model of the `controlnet` folder (the picker
 * offers the checkpoint's family first), a control image — or a picture Canny draws the edges of, where
 * the backend has that node — and strength with start / end of the sampling it acts on.
 */
export function ControlNetFields({ family, draft, update, errors, canny }: Props) {
  if (family === 'svd') return null;
  const rows = draft.controlNets;
  const set = (i: number, patch: Partial<ControlNetDraft>) => update({ controlNets: rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const remove = (i: number) => {
    update({ controlNets: rows.filter((_r, j) => j !== i) });
    focusLater('gen-cn-add');
  };
  const hasError = Object.keys(errors).some((k) => k.startsWith('controlNets'));
  const number = (i: number, key: 'strength' | 'start' | 'end', label: string, max: number, step: number) => {
    const id = `gen-cn-${i}-${key}`;
    const field = key === 'start' ? 'startPercent' : key === 'end' ? 'endPercent' : 'strength';
    const err = errors[`controlNets.${i}.${field}`];
    return (
      <Field id={id} label={label} error={err}>
        <input id={id} type="number" min={0} max={max} step={step} value={rows[i]![key]} onChange={(e) => set(i, { [key]: e.target.value })} {...invalidProps(id, err)} />
      </Field>
    );
  };
  return (
    <details
      className={styles.advanced}
      open={draft.controlNetsOpen || hasError}
      onToggle={(e) => {
        const open = e.currentTarget.open;
        if (open !== draft.controlNetsOpen) update({ controlNetsOpen: open });
      }}
      data-testid="controlnet-fields"
    >
      <summary className={styles.summary}>
        ControlNet
        {rows.length > 0 && <span className={styles.count}>{rows.length}</span>}
        <span className={styles.summaryInfo}>{rows.length === 0 ? 'none' : rows.map((r) => `${r.model || '…'} ${r.strength}`).join(' · ')}</span>
      </summary>
      <div className={styles.loraBody}>
        {rows.map((row, i) => {
          const modelId = `gen-cn-${i}-model`;
          const modelErr = errors[`controlNets.${i}.model`];
          const imageErr = errors[`controlNets.${i}.image`] ?? errors[`controlNets.${i}`];
          return (
            <div key={i} className={styles.unit} data-testid="controlnet-row">
              <div className={styles.unitHead}>
                <span>ControlNet {i + 1}</span>
                <button type="button" className={styles.linkButton} onClick={() => remove(i)} aria-label={`Remove ControlNet ${i + 1}`}>
                  Remove
                </button>
              </div>
              <Field id={modelId} label="Model" error={modelErr}>
                <ModelPicker
                  id={modelId}
                  label="ControlNet model"
                  value={row.model}
                  onChange={(m: ModelInfo) => set(i, { model: loaderName(m) })}
                  folders={CONTROLNET_FOLDERS}
                  defaultFamily={family}
                  placeholder="Choose a ControlNet…"
                  testId={`controlnet-${i}-model`}
                  {...invalidProps(modelId, modelErr)}
                />
              </Field>
              <Field id={`gen-cn-${i}-image`} label="Control image" error={imageErr}>
                <ImageInput id={`gen-cn-${i}-image`} value={row.image} onChange={(image) => set(i, { image })} />
              </Field>
              <div className={styles.segmented} role="radiogroup" aria-label={`ControlNet ${i + 1} preprocessor`}>
                <label className={styles.segment}>
                  <input type="radio" name={`gen-cn-${i}-pre`} checked={row.preprocessor === 'none'} onChange={() => set(i, { preprocessor: 'none' })} />
                  Image is the hint
                </label>
                <label className={styles.segment} title={canny ? 'Draw the edges of the image first (Canny)' : 'No online backend has the Canny node (comfy_extras.nodes_canny needs kornia)'}>
                  <input type="radio" name={`gen-cn-${i}-pre`} checked={row.preprocessor === 'canny'} disabled={!canny} onChange={() => set(i, { preprocessor: 'canny' })} />
                  Canny edges
                </label>
              </div>
              {!canny && row.preprocessor !== 'canny' && <p className={styles.unavailable}>Canny is off: no online backend has its node.</p>}
              <div className={styles.grid3}>
                {number(i, 'strength', 'Strength', 10, 0.05)}
                {number(i, 'start', 'Start', 1, 0.05)}
                {number(i, 'end', 'End', 1, 0.05)}
              </div>
            </div>
          );
        })}
        <div className={styles.loraAdd}>
          <button
            type="button"
            id="gen-cn-add"
            className={styles.secondary}
            disabled={rows.length >= MAX_CONTROLNETS}
            onClick={() => {
              update({ controlNets: [...rows, NEW_ROW], controlNetsOpen: true });
              focusLater(`gen-cn-${rows.length}-model`);
            }}
            data-testid="controlnet-add"
          >
            {rows.length >= MAX_CONTROLNETS ? `${MAX_CONTROLNETS} ControlNets at most` : rows.length === 0 ? 'Add a ControlNet' : 'Stack another ControlNet'}
          </button>
        </div>
      </div>
    </details>
  );
}
