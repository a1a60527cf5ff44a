import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/endpoints';
import { errorMessage } from '../../api/client';
import { DEFAULT_FILTERS } from '../../lib/galleryFilters';
import type { PickedPicture } from '../../lib/pendingEdits';
import styles from './SiteWorkspace.module.css';

const PICKS = 24;

/**
 * Recent gallery images to use as an image's `src`. The edit names the asset by id: the preview shows
 * the gallery file at once, and on Apply the server sends the picture to v0 as an attachment (our URLs
 * are not reachable from v0).
 */
export function ImagePicker({ onPick }: { onPick: (picture: PickedPicture) => void }) {
  const images = useQuery({
    queryKey: ['studio-image-picks'],
    queryFn: ({ signal }) => api.listAssets({ ...DEFAULT_FILTERS, type: 'image' }, 0, PICKS, signal),
    staleTime: 30_000,
  });
  if (images.error) return <p className={styles.error}>{errorMessage(images.error)}</p>;
  const items = images.data?.items ?? [];
  return (
    <ul className={styles.picks} data-testid="design-image-picks">
      {items.map((a) => (
        <li key={a.id}>
          <button type="button" title={a.meta.prompt ?? a.fileName} onClick={() => onPick({ image: { source: 'asset', id: a.id }, name: a.fileName, preview: new URL(a.url, window.location.origin).href })}>
            <img src={a.thumbUrl} alt={a.meta.prompt ?? a.fileName} loading="lazy" />
          </button>
        </li>
      ))}
      {images.isPending && <li className={styles.muted}>Loading…</li>}
      {!images.isPending && items.length === 0 && <li className={styles.muted}>No images in the gallery yet.</li>}
    </ul>
  );
}
