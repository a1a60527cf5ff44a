import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Asset, DeleteResult, RestoreResult } from '@orchestrator/shared';
import { api } from '../api/endpoints';
import { errorMessage } from '../api/client';
import { removeFromGallery } from '../events/galleryCache';
import { copyText } from '../lib/clipboard';
import { applySettings } from '../lib/applySettings';
import { chunks, fileDownloadUrl, startDownload, startZipDownload } from '../lib/download';
import { planForAsset } from '../lib/settingsForAsset';
import { releaseAssets } from '../state/assetSelection';
import { confirmAction } from '../state/confirm';
import { toast } from '../state/toasts';

/** Ids per POST /api/assets/delete or /restore request (the server takes at most 500). */
const BATCH = 500;

const plural = (n: number, one: string) => `${n.toLocaleString()} ${n === 1 ? one : `${one}s`}`;

async function deleteIds(ids: string[]): Promise<DeleteResult> {
  if (ids.length === 1) {
    await api.deleteAsset(ids[0]!);
    return { deleted: ids, missing: [] };
  }
  const out: DeleteResult = { deleted: [], missing: [] };
  for (const part of chunks(ids, BATCH)) {
    const r = await api.deleteAssets(part);
    out.deleted.push(...(r.deleted ?? []));
    out.missing.push(...(r.missing ?? []));
  }
  return out;
}

async function restoreIds(ids: string[]): Promise<RestoreResult> {
  const out: RestoreResult = { restored: [], missing: [], conflicts: [] };
  for (const part of chunks(ids, BATCH)) {
    const r = await api.restoreAssets(part);
    out.restored.push(...(r.restored ?? []));
    out.missing.push(...(r.missing ?? []));
    out.conflicts.push(...(r.conflicts ?? []));
  }
  return out;
}

/** Whether the server can run an asset's request again (its job record, or a prompt in its metadata). */
export function canRerun(asset: Pick<Asset, 'meta'>): boolean {
  return asset.meta.prompt !== undefined || asset.meta.jobId !== undefined;
}

/**
 * What can be done to assets, from the context menu, the inspector, the viewer and the selection bar.
 * Deletes go to the server's trash, so every delete offers Undo.
 */
export function useAssetActions() {
  const client = useQueryClient();

  const restore = useMutation({
    mutationFn: restoreIds,
    onSuccess: (r) => {
      const problems = r.conflicts.length + r.missing.length;
      if (problems === 0) toast.info(`Restored ${plural(r.restored.length, 'item')}`);
      else toast.error(`Restored ${r.restored.length}; ${problems} could not be restored (a file with that name exists, or it left the trash)`);
    },
    onError: (err) => toast.error(`Undo failed: ${errorMessage(err)}`),
  });

  const remove = useMutation({
    mutationFn: deleteIds,
    onSuccess: (r) => {
      // The asset.removed events would do this too; doing it now makes the grid answer at once.
      for (const id of [...r.deleted, ...r.missing]) removeFromGallery(client, id);
      releaseAssets([...r.deleted, ...r.missing]);
      if (r.deleted.length > 0) {
        const ids = r.deleted;
        toast.info(`Deleted ${plural(ids.length, 'item')}`, { label: 'Undo', run: () => restore.mutate(ids) });
      }
    },
    onError: (err) => toast.error(`Delete failed: ${errorMessage(err)}`),
  });

  const regenerate = useMutation({
    mutationFn: (asset: Asset) => api.regenerateAsset(asset.id),
    onSuccess: () => toast.info('Regenerating: the job is queued'),
    onError: (err) => toast.error(`Cannot regenerate: ${errorMessage(err)}`),
  });

  // Same request, a seed the server draws: one click, no form.
  const variation = useMutation({
    mutationFn: (asset: Asset) => api.regenerateAsset(asset.id, 'random'),
    onSuccess: () => toast.info('Variation queued: same settings, new seed'),
    onError: (err) => toast.error(`Cannot make a variation: ${errorMessage(err)}`),
  });

  const reuse = useMutation({
    mutationFn: ({ asset, newSeed }: { asset: Asset; newSeed: boolean }) => planForAsset(asset, { newSeed }),
    onSuccess: (plan) => applySettings(plan),
    onError: (err) => toast.error(`Cannot load its settings: ${errorMessage(err)}`),
  });

  return {
    deleting: remove.isPending,
    /** Asks once, then deletes (to the trash). Resolves true when the delete was confirmed. */
    async confirmDelete(assets: readonly Pick<Asset, 'id' | 'fileName'>[]): Promise<boolean> {
      if (assets.length === 0) return false;
      const one = assets.length === 1 ? assets[0]! : null;
      const ok = await confirmAction({
        title: one ? 'Delete this item?' : `Delete ${plural(assets.length, 'item')}?`,
        message: one
          ? `“${one.fileName}” moves to the trash. You can undo right after.`
          : `${plural(assets.length, 'file')} move to the trash. You can undo right after.`,
        confirmLabel: 'Delete',
        tone: 'danger',
      });
      if (ok) remove.mutate(assets.map((a) => a.id));
      return ok;
    },
    regenerate: (asset: Asset) => regenerate.mutate(asset),
    /** Queues the same request with a new random seed. */
    variations: (asset: Asset) => variation.mutate(asset),
    /** The form of the mode that made the asset, filled with exactly its settings, seed included. */
    useSettings: (asset: Asset) => reuse.mutate({ asset, newSeed: false }),
    /** The same form and settings with a fresh random seed. */
    remix: (asset: Asset) => reuse.mutate({ asset, newSeed: true }),
    async copyPrompt(asset: Asset) {
      const prompt = asset.meta.prompt;
      if (prompt === undefined) return;
      if (await copyText(prompt)) toast.info('Prompt copied');
      else toast.error('Could not copy the prompt');
    },
    download(assets: readonly Asset[]) {
      if (assets.length === 1) startDownload(fileDownloadUrl(assets[0]!), assets[0]!.fileName);
      else startZipDownload(assets.map((a) => a.id));
    },
    downloadIds(ids: readonly string[]) {
      startZipDownload(ids);
    },
  };
}

export type AssetActions = ReturnType<typeof useAssetActions>;
