/* Inline icons: the media glyphs (⏮ ⏭) are missing from many system fonts. */
import type { ReactNode } from 'react';

const Svg = ({ children }: { children: ReactNode }) => (
  <svg width="14" height="14" viewBox="0 0 16 16" fill="currentColor" aria-hidden="true" focusable="false">
    {children}
  </svg>
);

export const PlayIcon = () => (
  <Svg>
    <path d="M4 2.5v11l9.5-5.5z" />
  </Svg>
);

export const PauseIcon = () => (
  <Svg>
    <rect x="3.5" y="2.5" width="3" height="11" rx="0.5" />
    <rect x="9.5" y="2.5" width="3" height="11" rx="0.5" />
  </Svg>
);

export const StepBackIcon = () => (
  <Svg>
    <rect x="2.5" y="3" width="2" height="10" rx="0.5" />
    <path d="M13.5 3v10L6 8z" />
  </Svg>
);

export const StepForwardIcon = () => (
  <Svg>
    <rect x="11.5" y="3" width="2" height="10" rx="0.5" />
    <path d="M2.5 3v10L10 8z" />
  </Svg>
);
