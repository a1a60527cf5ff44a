import { create } from 'zustand';
import type { Asset } from '@orchestrator/shared';

/** The gallery image the Upscale dialog is open for (from the item menu or the inspector). */
interface UpscaleState {
  target: Pick<Asset, 'id' | 'fileName' | 'width' | 'height' | 'thumbUrl'> | null;
  open: (asset: Pick<Asset, 'id' | 'fileName' | 'width' | 'height' | 'thumbUrl'>) => void;
  close: () => void;
}

export const useUpscale = create<UpscaleState>()((set) => ({
  target: null,
  open: (asset) => set({ target: { id: asset.id, fileName: asset.fileName, width: asset.width, height: asset.height, thumbUrl: asset.thumbUrl } }),
  close: () => set({ target: null }),
}));
