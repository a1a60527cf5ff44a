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

/** How a thumbnail sits in its tile: whole and letterboxed (`fit`), or cropped to fill it (`fill`). */
export type TileFit = 'fit' | 'fill';

interface GalleryUiState {
  viewer: ViewerTarget | null;
  menu: MenuTarget | null;
  slideshowMs: number;
  tileFit: TileFit;
  /** The trash view is open. */
  trashOpen: boolean;
  openViewer: (target: ViewerTarget) => void;
  closeViewer: () => void;
  openMenu: (target: MenuTarget) => void;
  closeMenu: () => void;
  setSlideshowMs: (ms: number) => void;
  setTileFit: (fit: TileFit) => void;
  setTrashOpen: (open: boolean) => void;
}

/** What the gallery has open (the full-screen viewer, the context menu, the trash) and how tiles show. */
export const useGalleryUi = create<GalleryUiState>()(
  persist(
    (set) => ({
      viewer: null,
      menu: null,
      slideshowMs: 5000,
      tileFit: 'fit',
      trashOpen: false,
      openViewer: (viewer) => set({ viewer, menu: null }),
      closeViewer: () => set({ viewer: null }),
      openMenu: (menu) => set({ menu }),
      closeMenu: () => set({ menu: null }),
      setSlideshowMs: (slideshowMs) => set({ slideshowMs }),
      setTileFit: (tileFit) => set({ tileFit }),
      setTrashOpen: (trashOpen) => set({ trashOpen }),
    }),
    {
      name: 'orchestrator.gallery',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ slideshowMs: s.slideshowMs, tileFit: s.tileFit }),
    },
  ),
);
