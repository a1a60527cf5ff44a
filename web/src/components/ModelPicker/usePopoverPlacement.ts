import { useLayoutEffect, useState, type RefObject } from 'react';
import { placePopover, type Placement } from './placePopover';

/**
 * The popover's place next to `anchor`, kept there while the page scrolls or resizes (the form sits
 * in a scrolling sidebar). Scrolls inside the popover itself are ignored. null while `enabled` is off.
 */
export function usePopoverPlacement(anchor: RefObject<HTMLElement | null>, popover: RefObject<HTMLElement | null>, enabled: boolean): Placement | null {
  const [placement, setPlacement] = useState<Placement | null>(null);
  useLayoutEffect(() => {
    if (!enabled) return;
    const place = () => {
      const el = anchor.current;
      if (el) setPlacement(placePopover(el.getBoundingClientRect(), { width: window.innerWidth, height: window.innerHeight }));
    };
    const onScroll = (e: Event) => {
      if (!popover.current?.contains(e.target as Node)) place();
    };
    place();
    window.addEventListener('resize', place);
    document.addEventListener('scroll', onScroll, true);
    return () => {
      window.removeEventListener('resize', place);
      document.removeEventListener('scroll', onScroll, true);
    };
  }, [anchor, popover, enabled]);
  return enabled ? placement : null;
}
