import { lazy, Suspense, useCallback } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { assetsByIds, findInGallery } from '../../events/galleryCache';
import { canRerun, useAssetActions } from '../../hooks/useAssetActions';
import { useAssetSelection } from '../../state/assetSelection';
import { useGalleryUi } from '../../state/gallery';
import { useUpscale } from '../../state/upscale';
import { ContextMenu, type MenuItem } from '../ContextMenu/ContextMenu';

const UpscaleDialog = lazy(() => import('../UpscaleDialog/UpscaleDialog'));

/** Whether an asset can be upscaled: a still image. */
export const canUpscale = (asset: { type: string; animated?: boolean | undefined }) => asset.type === 'image' && !asset.animated;

/**
 * The actions menu of a gallery item. When the item is part of a larger selection, Download and Delete
 * act on the whole selection; the others always act on the item itself.
 */
export function AssetMenu() {
  const upscaling = useUpscale((s) => s.target !== null);
  return (
    <>
      <ItemMenu />
      {upscaling && (
        <Suspense fallback={null}>
          <UpscaleDialog />
        </Suspense>
      )}
    </>
  );
}

function ItemMenu() {
  const client = useQueryClient();
  const target = useGalleryUi((s) => s.menu);
  const close = useGalleryUi((s) => s.closeMenu);
  const openViewer = useGalleryUi((s) => s.openViewer);
  const ids = useAssetSelection((s) => s.ids);
  const actions = useAssetActions();
  const onClose = useCallback(() => close(), [close]);
  if (!target) return null;
  const asset = findInGallery(client, target.id);
  if (!asset) return null;
  const batch = ids.size > 1 && ids.has(asset.id) ? ids.size : 0;
  const noPrompt = asset.meta.prompt === undefined;
  const items: MenuItem[] = [
    { id: 'open', label: 'Open', onSelect: () => openViewer({ id: asset.id, index: target.index }) },
    {
      id: 'select',
      label: ids.has(asset.id) && ids.size > 1 ? 'Deselect' : 'Select',
      onSelect: () => {
        const s = useAssetSelection.getState();
        const next = new Set(s.ids);
        if (next.has(asset.id) && next.size > 1) next.delete(asset.id);
        else next.add(asset.id);
        s.set({ ids: next, anchor: target.index }, { selectMode: true });
      },
    },
    {
      id: 'download',
      label: batch ? `Download ${batch.toLocaleString()} items (zip)` : 'Download',
      onSelect: () => (batch ? actions.downloadIds([...ids]) : actions.download([asset])),
    },
    { id: 'copy-prompt', label: 'Copy prompt', disabled: noPrompt, onSelect: () => void actions.copyPrompt(asset) },
    { id: 'variations', label: 'Variations', disabled: !canRerun(asset) || asset.type === 'site', onSelect: () => actions.variations(asset) },
    { id: 'regenerate', label: 'Regenerate', disabled: !canRerun(asset), onSelect: () => actions.regenerate(asset) },
    { id: 'use-settings', label: 'Use these settings', disabled: noPrompt && !asset.meta.jobId, onSelect: () => actions.useSettings(asset) },
    { id: 'remix', label: 'Remix…', disabled: noPrompt && !asset.meta.jobId, onSelect: () => actions.remix(asset) },
    { id: 'upscale', label: 'Upscale…', disabled: !canUpscale(asset), onSelect: () => useUpscale.getState().open(asset) },
    {
      id: 'delete',
      label: batch ? `Delete ${batch.toLocaleString()} items…` : 'Delete…',
      danger: true,
      onSelect: () => void actions.confirmDelete(batch ? assetsByIds(client, ids) : [asset]),
    },
  ];
  return <ContextMenu x={target.x} y={target.y} label={`Actions for ${asset.fileName}`} items={items} onClose={onClose} />;
}
