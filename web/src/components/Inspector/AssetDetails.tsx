import type { Asset } from '@orchestrator/shared';
import { formatBytes, formatDateTime } from '../../lib/format';
import { draftFrom } from '../../lib/request';
import { useFormDraft } from '../../state/formDraft';
import { useLayout } from '../../state/layout';
import { useSelection } from '../../state/selection';
import { DetailList } from './DetailList';
import styles from './Inspector.module.css';

export function AssetDetails({ asset }: { asset: Asset }) {
  const select = useSelection((s) => s.select);
  const update = useFormDraft((s) => s.update);
  const setMobileTab = useLayout((s) => s.setMobileTab);
  const m = asset.meta;
  const jobId = m.jobId;
  return (
    <>
      <a className={styles.media} href={asset.url} target="_blank" rel="noreferrer" title="Open the full-size file">
        {asset.type === 'image' ? (
          <img src={asset.url} alt={m.prompt ?? asset.fileName} style={m.width && m.height ? { aspectRatio: `${m.width} / ${m.height}` } : undefined} />
        ) : (
          <span>{asset.type}</span>
        )}
      </a>
      <div className={styles.actions}>
        <button
          type="button"
          className={styles.button}
          onClick={() => {
            update(draftFrom(m));
            setMobileTab('create');
          }}
          disabled={m.prompt === undefined}
        >
          Use these settings
        </button>
        <a className={styles.button} href={asset.url} download={asset.fileName}>
          Download
        </a>
      </div>
      <DetailList
        details={[
          { label: 'File name', value: asset.fileName, mono: true },
          { label: 'Size', value: formatBytes(asset.size) },
          { label: 'Dimensions', value: m.width && m.height ? `${m.width}×${m.height}` : undefined },
          { label: 'Created', value: formatDateTime(asset.createdAt) },
          { label: 'Provider', value: m.provider },
          { label: 'Model', value: m.model, mono: true },
          { label: 'Prompt', value: m.prompt, long: true },
          { label: 'Negative prompt', value: m.negativePrompt, long: true },
          { label: 'Seed', value: m.seed, mono: true },
          { label: 'Steps', value: m.steps },
          { label: 'CFG', value: m.cfg },
          { label: 'Sampler', value: m.sampler, mono: true },
          { label: 'Scheduler', value: m.scheduler, mono: true },
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
