import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/endpoints';
import { errorMessage } from '../../api/client';
import { DEFAULT_FILTERS } from '../../lib/galleryFilters';
import styles from './SiteWorkspace.module.css';

const PICKS = 24;

/**
 * Recent gallery images to use as an image's `src`. The chosen picture's absolute URL goes into the
 * edit: the preview shows it at once; v0 can use it only if that URL is reachable from the internet.
 */
export function ImagePicker({ onPick }: { onPick: (url: string) => void }) {
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
          <button type="button" title={a.meta.prompt ?? a.fileName} onClick={() => onPick(new URL(a.url, window.location.origin).href)}>
            <img src={a.thumbUrl} alt={a.meta.prompt ?? a.fileName} loading="lazy" />
          </button>
        </li>
      ))}
      {images.isPending && <li className={styles.muted}>Loading…</li>}
      {!images.isPending && items.length === 0 && <li className={styles.muted}>No images in the gallery yet.</li>}
    </ul>
  );
}
