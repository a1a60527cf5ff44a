import { useEffect, useRef, type SyntheticEvent } from 'react';

/**
 * A <dialog> shown modal while the component is mounted: Esc calls `onClose` (the owner unmounts
 * it), and focus goes back to where it was when the dialog closes. Spread the result on the dialog.
 */
export function useModalDialog(onClose: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      if (previous?.isConnected) previous.focus({ preventScroll: true });
    };
  }, []);
  const onCancel = (e: SyntheticEvent<HTMLDialogElement>) => {
    e.preventDefault();
    onClose();
  };
  return { ref, onCancel };
}
