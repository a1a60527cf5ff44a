import { useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { loadSettingsFromFile } from '../lib/droppedSettings';
import { toast } from '../state/toasts';

/**
 * `dragover` repeats while something is dragged over the page (the spec asks for one every 350 ms ±200
 * when the pointer rests); this long without one, the drag has ended somewhere we were not told of.
 */
const DRAG_IDLE_MS = 1500;

const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') === true;

/**
 * A PNG, JPEG or WebP dropped anywhere on the page (except on a drop zone of its own, such as an input image) loads
 * its settings into the Create form. Returns whether files are being dragged over the page, for a hint.
 */
export function usePngDrop(): boolean {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    let idle: ReturnType<typeof setTimeout> | undefined;
    const onDragOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault(); // a drop target everywhere, not a navigation to the file
      setDragging(true);
      clearTimeout(idle);
      idle = setTimeout(() => setDragging(false), DRAG_IDLE_MS);
    };
    const onDrop = (e: DragEvent) => {
      clearTimeout(idle);
      setDragging(false);
      // A drop zone of the page (ImageInput, the workflow importer) has taken the file already.
      if (!carriesFiles(e) || e.defaultPrevented) return;
      e.preventDefault();
      const file = e.dataTransfer?.files[0];
      if (file) loadSettingsFromFile(file).catch((err: unknown) => toast.error(`Could not read ${file.name}: ${errorMessage(err)}`));
    };
    // Leaving the window (no element to go to) or cancelling ends the hint at once.
    const onDragLeave = (e: DragEvent) => {
      if (e.relatedTarget !== null) return;
      clearTimeout(idle);
      setDragging(false);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('dragleave', onDragLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      clearTimeout(idle);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('dragleave', onDragLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
  return dragging;
}
