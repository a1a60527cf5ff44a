import { lazy, Suspense } from 'react';
import { errorMessage } from '../../api/client';
import { useAsset } from '../../hooks/useAssets';
import { useJob } from '../../hooks/useJobs';
import { useSelection } from '../../state/selection';
import { AssetDetails } from './AssetDetails';
import { JobDetails } from './JobDetails';
import styles from './Inspector.module.css';

// Site previews, versions and source load only when a site is selected.
const SiteDetails = lazy(() => import('../SiteDetails/SiteDetails').then((m) => ({ default: m.SiteDetails })));

const TYPE_LABEL = { image: 'Image', video: 'Video', site: 'Site' } as const;

/** Details of the selected asset or job. */
export function Inspector() {
  const selected = useSelection((s) => s.selected);
  const select = useSelection((s) => s.select);
  const asset = useAsset(selected?.kind === 'asset' ? selected.id : null);
  const job = useJob(selected?.kind === 'job' ? selected.id : null);
  const current = selected?.kind === 'asset' ? asset : job;

  return (
    <section className={styles.inspector} data-testid="inspector" aria-labelledby="inspector-heading">
      <header className={styles.header}>
        <h2 id="inspector-heading" className={styles.heading}>
          {selected ? (selected.kind === 'asset' ? TYPE_LABEL[asset.data?.type ?? 'image'] : 'Job') : 'Inspector'}
        </h2>
        {selected && (
          <button type="button" className={styles.close} onClick={() => select(null)} aria-label="Clear selection">
            ×
          </button>
        )}
      </header>
      <div className={styles.body}>
        {!selected && <p className={styles.empty}>Select an image or a job to see how it was made.</p>}
        {selected && current.error && (
          <p className={styles.error} role="alert">
            {errorMessage(current.error)}
          </p>
        )}
        {selected && !current.data && !current.error && <p className={styles.empty}>Loading…</p>}
        {selected?.kind === 'asset' && asset.data?.type === 'site' && (
          <Suspense fallback={<p className={styles.empty}>Loading…</p>}>
            <SiteDetails key={asset.data.id} asset={asset.data} />
          </Suspense>
        )}
        {selected?.kind === 'asset' && asset.data && <AssetDetails asset={asset.data} />}
        {selected?.kind === 'job' && job.data && <JobDetails job={job.data} />}
      </div>
    </section>
  );
}
