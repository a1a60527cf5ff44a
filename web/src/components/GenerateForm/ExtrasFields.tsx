import { IPADAPTER_NODES, IPADAPTER_PRESETS, type TemplateFamily } from '@orchestrator/shared';
import type { FormDraft } from '../../state/formDraft';
import { ImageInput } from '../ImageInput/ImageInput';
import { Field, invalidProps } from './Field';
import styles from './GenerateForm.module.css';

interface Props {
  family: TemplateFamily | undefined;
  draft: FormDraft;
  update: (patch: Partial<FormDraft>) => void;
  errors: Record<string, string>;
  /** Node types some online backend has (the IP-Adapter pack's among them, or not). */
  nodes: ReadonlySet<string>;
}

/** Why the IP-Adapter cannot be offered now, or null when it can. */
export function ipAdapterBlocker(family: TemplateFamily | undefined, nodes: ReadonlySet<string>): string | null {
  if (!IPADAPTER_NODES.every((n) => nodes.has(n))) return 'No online backend has the IPAdapter nodes (install the ComfyUI_IPAdapter_plus custom nodes there).';
  if (family && family !== 'sd15' && family !== 'sdxl') return 'IP-Adapter works with SD1.5 and SDXL checkpoints.';
  return null;
}

function summaryOf(draft: FormDraft): string {
  const parts = [
    ...(draft.hires.enabled ? [`hires ×${draft.hires.scale}`] : []),
    ...(draft.ipAdapter.enabled ? [`IP-Adapter ${draft.ipAdapter.weight}`] : []),
  ];
  return parts.length > 0 ? parts.join(' · ') : 'off';
}

/**
 * The hires fix (a second pass on the latent scaled up, with its own denoise and steps) and the
 * IP-Adapter (an image prompt, only where a backend has the custom nodes — else hidden, saying why).
 */
export function ExtrasFields({ family, draft, update, errors, nodes }: Props) {
  if (family === 'svd') return null;
  const h = draft.hires;
  const ipa = draft.ipAdapter;
  const blocker = ipAdapterBlocker(family, nodes);
  const inpainting = draft.inputImage !== null && draft.imageMode !== 'img2img';
  const hasError = Object.keys(errors).some((k) => k.startsWith('hiresFix') || k.startsWith('ipAdapter'));
  const num = (group: 'hires' | 'ipAdapter', key: string, field: string, label: string, range: { min: number; max: number; step: number }, placeholder?: string) => {
    const id = `gen-${group}-${key}`;
    const err = errors[field];
    const value = group === 'hires' ? h[key as keyof typeof h] : ipa[key as keyof typeof ipa];
    return (
      <Field id={id} label={label} error={err}>
        <input
          id={id}
          type="number"
          {...range}
          placeholder={placeholder}
          value={String(value ?? '')}
          onChange={(e) => update(group === 'hires' ? { hires: { ...h, [key]: e.target.value } } : { ipAdapter: { ...ipa, [key]: e.target.value } })}
          {...invalidProps(id, err)}
        />
      </Field>
    );
  };
  return (
    <details
      className={styles.advanced}
      open={draft.extrasOpen || hasError}
      onToggle={(e) => {
        const open = e.currentTarget.open;
        if (open !== draft.extrasOpen) update({ extrasOpen: open });
      }}
      data-testid="extras-fields"
    >
      <summary className={styles.summary}>
        Hires fix · IP-Adapter
        <span className={styles.summaryInfo}>{summaryOf(draft)}</span>
      </summary>
      <div className={styles.loraBody}>
        <div className={styles.unit}>
          <label className={styles.check}>
            <input type="checkbox" checked={h.enabled && !inpainting} disabled={inpainting} onChange={(e) => update({ hires: { ...h, enabled: e.target.checked } })} data-testid="hires-enabled" />
            Hires fix: a second pass at a larger size
          </label>
          {inpainting && <p className={styles.unavailable}>Not with inpainting or outpainting: upscale the result instead.</p>}
          {h.enabled && !inpainting && (
            <div className={styles.grid3}>
              {num('hires', 'scale', 'hiresFix.scale', 'Scale', { min: 1, max: 4, step: 0.25 })}
              {num('hires', 'denoise', 'hiresFix.denoise', 'Denoise', { min: 0, max: 1, step: 0.05 })}
              {num('hires', 'steps', 'hiresFix.steps', 'Steps', { min: 1, max: 200, step: 1 }, draft.steps)}
            </div>
          )}
        </div>
        <div className={styles.unit} data-testid="ipadapter">
          {blocker ? (
            <p className={styles.unavailable} data-testid="ipadapter-unavailable">
              IP-Adapter is unavailable: {blocker}
            </p>
          ) : (
            <>
              <label className={styles.check}>
                <input type="checkbox" checked={ipa.enabled} onChange={(e) => update({ ipAdapter: { ...ipa, enabled: e.target.checked } })} />
                IP-Adapter: steer by a reference image
              </label>
              {ipa.enabled && (
                <>
                  <Field id="gen-ipadapter-image" label="Reference image" error={errors['ipAdapter.image']}>
                    <ImageInput id="gen-ipadapter-image" value={ipa.image} onChange={(image) => update({ ipAdapter: { ...ipa, image } })} />
                  </Field>
                  <div className={styles.advancedGrid}>
                    {num('ipAdapter', 'weight', 'ipAdapter.weight', 'Weight', { min: -1, max: 3, step: 0.05 })}
                    <Field id="gen-ipadapter-preset" label="Preset">
                      <select id="gen-ipadapter-preset" value={ipa.preset} onChange={(e) => update({ ipAdapter: { ...ipa, preset: e.target.value } })}>
                        {IPADAPTER_PRESETS.map((p) => (
                          <option key={p} value={p}>
                            {p}
                          </option>
                        ))}
                      </select>
                    </Field>
                  </div>
                </>
              )}
            </>
          )}
        </div>
      </div>
    </details>
  );
}
