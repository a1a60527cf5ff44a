import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export interface ViewerTarget {
  id: string;
  /** Offset in the current view; `id` wins if an insert or delete moved it. */
  index: number;
}

export interface MenuTarget extends ViewerTarget {
  x: number;
  y: number;
}

export const SLIDESHOW_INTERVALS = [2000, 5000, 10000] as const;

interface GalleryUiState {
  viewer: ViewerTarget | null;
  menu: MenuTarget | null;
  slideshowMs: number;
  openViewer: (target: ViewerTarget) => void;
  closeViewer: () => void;
  openMenu: (target: MenuTarget) => void;
  closeMenu: () => void;
  setSlideshowMs: (ms: number) => void;
}

/** What the gallery has open: the full-screen viewer and the context menu. */
export const useGalleryUi = create<GalleryUiState>()(
  persist(
    (set) => ({
      viewer: null,
      menu: null,
      slideshowMs: 5000,
      openViewer: (viewer) => set({ viewer, menu: null }),
      closeViewer: () => set({ viewer: null }),
      openMenu: (menu) => set({ menu }),
      closeMenu: () => set({ menu: null }),
      setSlideshowMs: (slideshowMs) => set({ slideshowMs }),
    }),
    {
      name: 'orchestrator.gallery',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ slideshowMs: s.slideshowMs }),
    },
  ),
);
