import { useCallback, useEffect, useRef, type RefObject } from 'react';
import { OVERLAY_PROTOCOL, OverlayMessage, checked, type PageMessage } from '@orchestrator/shared';

const overlayMessage = checked(OverlayMessage);

/** A page message without its protocol tag (added on send). */
export type Outgoing<M = PageMessage> = M extends unknown ? Omit<M, 'protocol'> : never;

/**
 * The page's side of the overlay protocol: messages from the preview iframe are accepted only from
 * its window and the preview origin, and only in the shared shape; messages to it go to that origin.
 */
export function usePreviewChannel(
  frame: RefObject<HTMLIFrameElement | null>,
  origin: string | undefined,
  onMessage: (m: OverlayMessage, reply: (m: Outgoing) => void) => void,
) {
  const handler = useRef(onMessage);
  useEffect(() => {
    handler.current = onMessage;
  });
  const send = useCallback(
    (m: Outgoing) => {
      if (origin) frame.current?.contentWindow?.postMessage({ ...m, protocol: OVERLAY_PROTOCOL }, origin);
    },
    [frame, origin],
  );
  useEffect(() => {
    if (!origin) return;
    const listen = (e: MessageEvent) => {
      if (e.origin !== origin || e.source !== frame.current?.contentWindow) return;
      if (overlayMessage.check(e.data)) handler.current(e.data, send);
    };
    window.addEventListener('message', listen);
    return () => window.removeEventListener('message', listen);
  }, [frame, origin, send]);
  return send;
}
