import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { MAX_RESOLUTION, type ModelInfo } from '@orchestrator/shared';
import { api } from '../../api/endpoints';
import { errorMessage } from '../../api/client';
import { useBackends } from '../../hooks/useBackends';
import { useModalDialog } from '../../hooks/useModalDialog';
import { loaderName } from '../../hooks/useModels';
import { useUpscale } from '../../state/upscale';
import { toast } from '../../state/toasts';
import { ModelPicker } from '../ModelPicker/ModelPicker';
import styles from './UpscaleDialog.module.css';

const FACTORS = [1.5, 2, 3, 4];
const UPSCALE_FOLDERS = ['upscale_models'] as const;

/**
 * "Upscale…" on a gallery image (issue 14): an upscale model from `upscale_models` (where the backend
 * has the upscale-model nodes) or a plain lanczos resize, and a factor; POST /api/assets/:id/upscale
 * queues it as a new job of the requester.
 */
export default function UpscaleDialog() {
  const target = useUpscale((s) => s.target);
  const close = useUpscale((s) => s.close);
  const modal = useModalDialog(close);
  const { summary } = useBackends();
  const modelNodes = summary.nodes.has('UpscaleModelLoader') && summary.nodes.has('ImageUpscaleWithModel');
  const [method, setMethod] = useState<'model' | 'lanczos'>(modelNodes ? 'model' : 'lanczos');
  const [model, setModel] = useState('');
  const [factor, setFactor] = useState('2');
  const run = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Parameters<typeof api.upscaleAsset>[1] }) => api.upscaleAsset(id, body),
    onSuccess: () => {
      toast.info('Upscale queued');
      close();
    },
  });
  if (!target) return null;
  const f = Number(factor);
  const size = target.width && target.height && Number.isFinite(f) ? { w: Math.round(target.width * f), h: Math.round(target.height * f) } : null;
  const tooBig = size !== null && (size.w > MAX_RESOLUTION || size.h > MAX_RESOLUTION);
  const useModel = method === 'model' && modelNodes;
  const problem = !Number.isFinite(f) || f < 1 || f > 8 ? 'The factor goes from 1 to 8' : tooBig ? `${size!.w}×${size!.h} is over ComfyUI's ${MAX_RESOLUTION} px a side` : useModel && !model ? 'Choose an upscale model' : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (problem || run.isPending) return;
    run.mutate({ id: target.id, body: { ...(useModel ? { model } : {}), factor: f } });
  };

  return (
    <dialog {...modal} className={styles.dialog} aria-labelledby="upscale-title" data-testid="upscale-dialog">
      <form onSubmit={submit} className={styles.form}>
        <header className={styles.header}>
          <h2 id="upscale-title" className={styles.title}>
            Upscale
          </h2>
          <button type="button" className={styles.close} onClick={close} aria-label="Close">
            ×
          </button>
        </header>
        <div className={styles.source}>
          <img src={target.thumbUrl} alt="" className={styles.thumb} />
          <span className={styles.name}>
            {target.fileName}
            {target.width && target.height ? <span className={styles.muted}> · {target.width}×{target.height}</span> : null}
          </span>
        </div>
        <fieldset className={styles.methods}>
          <legend className={styles.legend}>How</legend>
          <label className={styles.option}>
            <input type="radio" name="upscale-method" checked={useModel} disabled={!modelNodes} onChange={() => setMethod('model')} />
            An upscale model
            {!modelNodes && <span className={styles.muted}> — no online backend has the upscale-model nodes</span>}
          </label>
          {useModel && (
            <ModelPicker id="upscale-model" label="Upscale model" value={model} onChange={(m: ModelInfo) => setModel(loaderName(m))} folders={UPSCALE_FOLDERS} familyFilter={false} placeholder="Choose a model…" testId="upscale-model" />
          )}
          <label className={styles.option}>
            <input type="radio" name="upscale-method" checked={!useModel} onChange={() => setMethod('lanczos')} />
            A plain resize (lanczos)
          </label>
        </fieldset>
        <div className={styles.factor}>
          <label htmlFor="upscale-factor" className={styles.legend}>
            Factor
          </label>
          <div className={styles.presets} role="group" aria-label="Factor presets">
            {FACTORS.map((x) => (
              <button key={x} type="button" className={styles.preset} aria-pressed={factor === String(x)} onClick={() => setFactor(String(x))}>
                ×{x}
              </button>
            ))}
          </div>
          <input id="upscale-factor" type="number" min={1} max={8} step={0.25} value={factor} onChange={(e) => setFactor(e.target.value)} className={styles.factorInput} data-testid="upscale-factor" />
          {size && <span className={styles.muted}>→ {size.w}×{size.h}</span>}
        </div>
        {(problem || run.error) && (
          <p className={styles.error} role="alert">
            {problem ?? errorMessage(run.error)}
          </p>
        )}
        <footer className={styles.actions}>
          <button type="button" className={styles.button} onClick={close}>
            Cancel
          </button>
          <button type="submit" className={`${styles.button} ${styles.primary}`} disabled={problem !== null || run.isPending} data-testid="upscale-submit">
            {run.isPending ? 'Queuing…' : 'Upscale'}
          </button>
        </footer>
      </form>
    </dialog>
  );
}
