import { useQueryClient } from '@tanstack/react-query';
import { parseLoraMeta, type Asset } from '@orchestrator/shared';
import { loadedPages } from '../../events/galleryCache';
import { canRerun, useAssetActions } from '../../hooks/useAssetActions';
import { currentGalleryFilters } from '../../hooks/useGalleryFilters';
import { formatBytes, formatDateTime, formatDuration } from '../../lib/format';
import { indexOfId } from '../../lib/galleryPages';
import { useGalleryUi } from '../../state/gallery';
import { useLayout } from '../../state/layout';
import { useSelection } from '../../state/selection';
import { useUpscale } from '../../state/upscale';
import { canUpscale } from '../AssetMenu/AssetMenu';
import { DetailList } from './DetailList';
import { LoraList } from './LoraList';
import styles from './Inspector.module.css';

function dimensions(asset: Asset): string | undefined {
  const w = asset.width ?? asset.meta.width;
  const h = asset.height ?? asset.meta.height;
  return w && h ? `${w}×${h}` : undefined;
}

function videoInfo(asset: Asset): string | undefined {
  if (asset.type !== 'video' || asset.durationMs === undefined) return undefined;
  const parts = [formatDuration(asset.durationMs)];
  if (asset.frames !== undefined) parts.push(`${asset.frames} frames`);
  if (asset.fps !== undefined) parts.push(`${Math.round(asset.fps * 100) / 100} fps`);
  return parts.join(' · ');
}

export function AssetDetails({ asset }: { asset: Asset }) {
  const client = useQueryClient();
  const select = useSelection((s) => s.select);
  const setMobileTab = useLayout((s) => s.setMobileTab);
  const openViewer = useGalleryUi((s) => s.openViewer);
  const actions = useAssetActions();
  const m = asset.meta;
  const jobId = m.jobId;
  const hasPrompt = m.prompt !== undefined;
  // The server re-runs the job's own request while it has the record (a video may have no prompt).
  const canRegenerate = canRerun(asset);
  const size = dimensions(asset);
  const loras = parseLoraMeta(m.loras);
  const open = () => {
    const index = indexOfId(loadedPages(client, currentGalleryFilters()), asset.id);
    if (index >= 0) {
      openViewer({ id: asset.id, index });
      setMobileTab('canvas');
    } else window.open(asset.url, '_blank', 'noopener');
  };

  return (
    <>
      <button type="button" className={styles.media} onClick={open} title="Open in the viewer" aria-label={`Open ${asset.fileName} in the viewer`}>
        {asset.type === 'video' ? (
          <img src={asset.thumbUrl} alt="" />
        ) : (
          <img
            src={asset.type === 'image' ? asset.url : asset.thumbUrl}
            alt={m.prompt ?? asset.fileName}
            style={size && asset.type === 'image' ? { aspectRatio: size.replace('×', ' / ') } : undefined}
          />
        )}
        {asset.type !== 'image' && <span className={styles.mediaBadge}>{asset.type === 'video' ? '▶ video' : 'site'}</span>}
      </button>
      <div className={styles.actions} role="group" aria-label="Asset actions">
        <button type="button" className={styles.button} onClick={() => actions.download([asset])}>
          Download
        </button>
        <button type="button" className={styles.button} onClick={() => void actions.copyPrompt(asset)} disabled={!hasPrompt}>
          Copy prompt
        </button>
        <button
          type="button"
          className={styles.button}
          data-testid="inspector-variations"
          onClick={() => actions.variations(asset)}
          disabled={!canRegenerate || asset.type === 'site'}
          title="Queue the same request again with a new random seed"
        >
          Variations
        </button>
        <button type="button" className={styles.button} onClick={() => actions.regenerate(asset)} disabled={!canRegenerate} title="Run the same request again">
          Regenerate
        </button>
        <button type="button" className={styles.button} onClick={() => actions.remix(asset)} disabled={!canRegenerate} title="Open the form with these settings and a new random seed">
          Remix
        </button>
        <button
          type="button"
          className={styles.button}
          data-testid="inspector-upscale"
          onClick={() => useUpscale.getState().open(asset)}
          disabled={!canUpscale(asset)}
          title="Make it larger: an upscale model or a plain resize, as a new job"
        >
          Upscale…
        </button>
        <button
          type="button"
          className={styles.button}
          data-testid="use-settings"
          onClick={() => actions.useSettings(asset)}
          disabled={!canRegenerate}
          title="Open the form of the mode that made it, with exactly these settings, seed included"
        >
          Use these settings
        </button>
        <button type="button" className={styles.button} data-tone="danger" onClick={() => void actions.confirmDelete([asset])}>
          Delete…
        </button>
      </div>
      <DetailList
        details={[
          { label: 'File name', value: asset.fileName, mono: true },
          { label: 'Size', value: formatBytes(asset.size) },
          { label: 'Dimensions', value: size },
          { label: 'Duration', value: videoInfo(asset) },
          { label: 'Created', value: formatDateTime(asset.createdAt) },
          { label: 'Provider', value: m.provider },
          { label: 'Model', value: m.model, mono: true },
          { label: 'Workflow', value: m.workflow },
          { label: 'LoRAs', value: m.loras, mono: true, long: true, display: loras.length > 0 ? <LoraList loras={loras} /> : undefined },
          { label: 'Prompt', value: m.prompt, long: true },
          { label: 'Negative prompt', value: m.negativePrompt, long: true },
          { label: 'Seed', value: m.seed, mono: true },
          { label: 'Steps', value: m.steps },
          { label: 'CFG', value: m.cfg },
          { label: 'Sampler', value: m.sampler, mono: true },
          { label: 'Scheduler', value: m.scheduler, mono: true },
          { label: 'Denoise', value: m.denoise },
          { label: 'ControlNets', value: m.controlNets, mono: true, long: true },
          { label: 'Hires fix', value: m.hiresFix },
          { label: 'Upscale', value: m.upscale, mono: true },
          { label: 'Slots', value: m.slots ? Object.entries(m.slots).map(([k, v]) => `${k}: ${String(v)}`).join(', ') : undefined, mono: true, long: true },
          { label: 'Backend', value: m.backend },
          {
            label: 'Job id',
            value: jobId,
            mono: true,
            display: jobId ? (
              <button type="button" className={styles.link} onClick={() => select({ kind: 'job', id: jobId })}>
                {jobId}
              </button>
            ) : undefined,
          },
        ]}
      />
    </>
  );
}
