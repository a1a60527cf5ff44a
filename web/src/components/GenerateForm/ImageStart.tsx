import { lazy, Suspense, useState } from 'react';
import type { TemplateFamily } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { useUpload } from '../../hooks/useUpload';
import type { FormDraft, ImageMode, ImageRefDraft } from '../../state/formDraft';
import { ImageInput } from '../ImageInput/ImageInput';
import { Field, invalidProps } from './Field';
import styles from './GenerateForm.module.css';

const MaskPainter = lazy(() => import('../MaskPainter/MaskPainter'));

interface Props {
  family: TemplateFamily | undefined;
  draft: FormDraft;
  update: (patch: Partial<FormDraft>) => void;
  errors: Record<string, string>;
}

const MODES: ReadonlyArray<{ mode: ImageMode; label: string; hint: string }> = [
  { mode: 'img2img', label: 'Whole picture', hint: 'img2img: redraw it, keeping as much as the denoise says' },
  { mode: 'inpaint', label: 'Paint a mask', hint: 'inpaint: redraw only what you paint' },
  { mode: 'outpaint', label: 'Extend', hint: 'outpaint: add a border and paint it in' },
];

/** Each mode's denoise (the server's defaults): an untouched value follows the mode. */
const DEFAULT_DENOISE: Record<ImageMode, string> = { img2img: '0.75', inpaint: '0.75', outpaint: '1' };

/** The picture at full size: a gallery asset's file (its preview is a thumbnail), or the upload itself. */
export function fullImageUrl(ref: ImageRefDraft): string {
  return /^[0-9a-f]{16}$/.test(ref.id) ? `/api/assets/${ref.id}/file` : ref.url;
}

function summaryOf(draft: FormDraft): string {
  if (!draft.inputImage) return 'text only';
  if (draft.imageMode === 'inpaint') return `inpaint · ${draft.mask ? 'mask painted' : 'no mask yet'} · denoise ${draft.denoise}`;
  if (draft.imageMode === 'outpaint') {
    const p = draft.outpaint;
    return `outpaint · ←${p.left} ↑${p.top} →${p.right} ↓${p.bottom}`;
  }
  return `img2img · denoise ${draft.denoise}`;
}

/**
 * Starting from a picture (issue 14): img2img with a denoise, inpainting with a mask painted in the page
 * (the painter is loaded on first use), or outpainting by a border. SVD has its own video form.
 */
export function ImageStart({ family, draft, update, errors }: Props) {
  const upload = useUpload();
  const [painting, setPainting] = useState(false);
  if (family === 'svd') return null;
  const image = draft.inputImage;
  const hasError = ['mask', 'denoise', 'outpaint.left', 'outpaint.top', 'outpaint.right', 'outpaint.bottom', 'outpaint.feathering'].some((f) => errors[f]);

  const saveMask = (file: File) => {
    upload.mutate(file, {
      onSuccess: (u) => {
        update({ mask: { id: u.id, url: u.url, label: 'Painted mask' } });
        setPainting(false);
      },
    });
  };

  const pad = (side: keyof FormDraft['outpaint'], label: string, step: number) => {
    const id = `gen-outpaint-${side}`;
    const err = errors[`outpaint.${side}`];
    return (
      <Field id={id} label={label} error={err}>
        <input
          id={id}
          type="number"
          min={0}
          max={side === 'feathering' ? 512 : 2048}
          step={step}
          value={draft.outpaint[side]}
          onChange={(e) => update({ outpaint: { ...draft.outpaint, [side]: e.target.value } })}
          {...invalidProps(id, err)}
        />
      </Field>
    );
  };

  return (
    <details
      className={styles.advanced}
      open={draft.imageOpen || hasError || image !== null}
      onToggle={(e) => {
        const open = e.currentTarget.open;
        if (open !== draft.imageOpen) update({ imageOpen: open });
      }}
      data-testid="image-start"
    >
      <summary className={styles.summary}>
        Start from an image
        <span className={styles.summaryInfo}>{summaryOf(draft)}</span>
      </summary>
      <div className={styles.loraBody}>
        <ImageInput id="gen-input-image" value={image} onChange={(next) => update({ inputImage: next, mask: null })} />
        {image && (
          <>
            <div className={styles.segmented} role="radiogroup" aria-label="What to do with the picture">
              {MODES.map((m) => (
                <label key={m.mode} className={styles.segment} title={m.hint}>
                  <input
                    type="radio"
                    name="gen-image-mode"
                    value={m.mode}
                    checked={draft.imageMode === m.mode}
                    onChange={() => update({ imageMode: m.mode, ...(draft.denoise === DEFAULT_DENOISE[draft.imageMode] ? { denoise: DEFAULT_DENOISE[m.mode] } : {}) })}
                    data-testid={`image-mode-${m.mode}`}
                  />
                  {m.label}
                </label>
              ))}
            </div>
            {draft.imageMode === 'inpaint' && (
              <div className={styles.maskRow}>
                {draft.mask ? (
                  <img src={draft.mask.url} alt="The painted mask (white is repainted)" className={styles.maskThumb} data-testid="mask-preview" />
                ) : (
                  <span className={styles.maskEmpty}>No mask yet</span>
                )}
                <button type="button" className={styles.secondary} onClick={() => setPainting(true)} data-testid="paint-mask" {...invalidProps('gen-mask', errors.mask)}>
                  {draft.mask ? 'Edit mask…' : 'Paint mask…'}
                </button>
                {draft.mask && (
                  <button type="button" className={styles.linkButton} onClick={() => update({ mask: null })}>
                    Remove
                  </button>
                )}
                {errors.mask && (
                  <span id="gen-mask-error" className={styles.fieldError}>
                    {errors.mask}
                  </span>
                )}
              </div>
            )}
            {draft.imageMode === 'outpaint' && (
              <div className={styles.advancedGrid}>
                {pad('left', 'Left', 8)}
                {pad('right', 'Right', 8)}
                {pad('top', 'Top', 8)}
                {pad('bottom', 'Bottom', 8)}
                {pad('feathering', 'Feathering', 1)}
              </div>
            )}
            <Field id="gen-denoise" label="Denoise" hint={draft.imageMode === 'img2img' ? 'lower keeps more of the picture' : 'how much of it is redrawn'} error={errors.denoise}>
              <div className={styles.rangeRow}>
                <input
                  type="range"
                  min={0}
                  max={1}
                  step={0.05}
                  value={Number.isFinite(Number(draft.denoise)) ? draft.denoise : '0.75'}
                  onChange={(e) => update({ denoise: e.target.value })}
                  aria-label="Denoise strength"
                />
                <input
                  id="gen-denoise"
                  type="number"
                  min={0}
                  max={1}
                  step={0.05}
                  value={draft.denoise}
                  onChange={(e) => update({ denoise: e.target.value })}
                  className={styles.rangeValue}
                  data-testid="denoise-input"
                  {...invalidProps('gen-denoise', errors.denoise)}
                />
              </div>
            </Field>
            <label className={styles.check}>
              <input type="checkbox" checked={draft.keepSize} onChange={(e) => update({ keepSize: e.target.checked })} />
              Keep the picture’s size (off: scale it to Width × Height under Advanced)
            </label>
          </>
        )}
      </div>
      {painting && image && (
        <Suspense fallback={null}>
          <MaskPainter
            imageUrl={fullImageUrl(image)}
            initialMaskUrl={draft.mask?.url}
            onCancel={() => setPainting(false)}
            onDone={saveMask}
            busy={upload.isPending}
            error={upload.error ? errorMessage(upload.error) : null}
          />
        </Suspense>
      )}
    </details>
  );
}
