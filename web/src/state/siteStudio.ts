import { create } from 'zustand';

/** Which site the site studio shows (null: closed). Opened from the canvas, the viewer, the inspector or the chat. */
interface SiteStudioState {
  assetId: string | null;
  open: (assetId: string) => void;
  close: () => void;
}

export const useSiteStudio = create<SiteStudioState>((set) => ({
  assetId: null,
  open: (assetId) => set({ assetId }),
  close: () => set({ assetId: null }),
}));
