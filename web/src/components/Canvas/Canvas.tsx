import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { hashKey } from '@tanstack/react-query';
import { useGalleryTotal } from '../../hooks/useGallery';
import { setGalleryFilters, useGalleryFilters } from '../../hooks/useGalleryFilters';
import { useJobs } from '../../hooks/useJobs';
import { useQueue } from '../../hooks/useQueue';
import { DEFAULT_FILTERS, isNarrowed } from '../../lib/galleryFilters';
import { canvasJobs } from '../../lib/canvasJobs';
import { NARROW_QUERY, useMediaQuery } from '../../lib/useMediaQuery';
import { useAssetSelection } from '../../state/assetSelection';
import { useGalleryUi, type ViewerTarget } from '../../state/gallery';
import { useLayout } from '../../state/layout';
import { useSelection } from '../../state/selection';
import { AssetGrid, type AssetGridHandle } from '../AssetGrid/AssetGrid';
import { AssetMenu } from '../AssetMenu/AssetMenu';
import { GalleryToolbar } from '../GalleryToolbar/GalleryToolbar';
import { JobTray } from '../JobTray/JobTray';
import { SelectionBar } from '../SelectionBar/SelectionBar';
import { QUEUE_ASIDE_ID, QUEUE_TOGGLE_ID, QueueToggle } from './QueueToggle';
import { TrashToggle } from './TrashToggle';
import styles from './Canvas.module.css';

/** The viewer is a separate chunk, fetched the first time something is opened. */
const Viewer = lazy(() => import('../Viewer/Viewer'));
/** So is the queue panel: most sessions never open it. */
const QueuePanel = lazy(() => import('../QueuePanel/QueuePanel'));
/** And the trash. */
const TrashDialog = lazy(() => import('../TrashDialog/TrashDialog'));

interface Props {
  /** Called when a tile is chosen by pointer (the narrow layout then shows the Inspector). */
  onOpenAsset?: () => void;
}

/** The gallery (toolbar, selection bar, virtual grid, menu, viewer, trash) with the jobs in progress in a tray over it. */
export function Canvas({ onOpenAsset }: Props) {
  const { jobs } = useJobs();
  const filters = useGalleryFilters();
  const total = useGalleryTotal(filters);
  const dismissed = useLayout((s) => s.dismissedJobs);
  const viewer = useGalleryUi((s) => s.viewer);
  const closeViewer = useGalleryUi((s) => s.closeViewer);
  const trashOpen = useGalleryUi((s) => s.trashOpen);
  const select = useSelection((s) => s.select);
  const queued = useMemo(() => jobs.filter((j) => j.status === 'queued').length, [jobs]);
  const queue = useQueue({ enabled: queued > 0 }).data;
  const startOrder = useMemo(() => new Map(queue?.items.map((e, i) => [e.job.id, i])), [queue]);
  const cards = useMemo(() => canvasJobs(jobs, dismissed, startOrder), [jobs, dismissed, startOrder]);
  const narrow = useMediaQuery(NARROW_QUERY);
  const queueOpen = useLayout((s) => s.queueOpen) && !narrow;
  const setQueueOpen = useLayout((s) => s.setQueueOpen);
  const trayOpen = useLayout((s) => s.jobTrayOpen);
  const grid = useRef<AssetGridHandle>(null);
  const view = hashKey([filters]);

  // Offsets mean nothing in another view: drop the selection, the menu and the viewer.
  useEffect(() => {
    useAssetSelection.getState().clear();
    useGalleryUi.getState().closeMenu();
    useGalleryUi.getState().closeViewer();
  }, [view]);

  // Everything in view was deleted: there is nothing left to show.
  useEffect(() => {
    if (total === 0) useGalleryUi.getState().closeViewer();
  }, [total]);

  const onViewerClose = useCallback(
    (last: ViewerTarget) => {
      closeViewer();
      if (last.id) {
        useAssetSelection.getState().set({ ids: new Set([last.id]), anchor: last.index });
        select({ kind: 'asset', id: last.id });
      }
      grid.current?.reveal(last.index);
    },
    [closeViewer, select],
  );

  const closeQueue = useCallback(() => {
    setQueueOpen(false);
    document.getElementById(QUEUE_TOGGLE_ID)?.focus();
  }, [setQueueOpen]);
  const onQueueKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === 'Escape' && (e.target as HTMLElement).tagName !== 'SELECT') closeQueue();
  };

  const narrowed = isNarrowed(filters);
  return (
    <div className={styles.canvas}>
      <header className={styles.header}>
        <h2 className={styles.title}>Canvas</h2>
        <span className={styles.count} data-testid="gallery-count">
          {total !== undefined && `${total.toLocaleString()} ${total === 1 ? 'item' : 'items'}${narrowed ? ' match' : ''}`}
        </span>
        <div className={styles.headerTools}>
          <TrashToggle />
          <QueueToggle queued={queued} narrow={narrow} />
        </div>
      </header>
      <div className={styles.body}>
        <div className={styles.main} data-tray={cards.length === 0 ? undefined : trayOpen ? 'open' : 'closed'}>
          <GalleryToolbar filters={filters} />
          <SelectionBar />
          {total === 0 && !narrowed && cards.length === 0 && (
            <div className={styles.empty}>
              <p className={styles.emptyTitle}>Nothing here yet</p>
              <p>Send a prompt or a command in the chat (or use the Form). Results appear here as soon as they are ready.</p>
            </div>
          )}
          {total === 0 && narrowed && (
            <div className={styles.empty}>
              <p className={styles.emptyTitle}>Nothing matches</p>
              <p>No item fits these filters.</p>
              <button type="button" className={styles.reset} onClick={() => setGalleryFilters({ ...DEFAULT_FILTERS, sort: filters.sort, order: filters.order })}>
                Clear filters
              </button>
            </div>
          )}
          <AssetGrid key={view} ref={grid} filters={filters} total={total} onPick={onOpenAsset} />
          <JobTray jobs={cards} />
        </div>
        {queueOpen && (
          <aside id={QUEUE_ASIDE_ID} className={styles.queue} onKeyDown={onQueueKeyDown}>
            <Suspense fallback={<p className={styles.message}>Loading…</p>}>
              <QueuePanel onClose={closeQueue} />
            </Suspense>
          </aside>
        )}
      </div>
      <AssetMenu />
      {trashOpen && (
        <Suspense fallback={null}>
          <TrashDialog />
        </Suspense>
      )}
      {viewer && total !== undefined && total > 0 && (
        <Suspense fallback={null}>
          <Viewer filters={filters} total={total} target={viewer} onClose={onViewerClose} />
        </Suspense>
      )}
    </div>
  );
}
