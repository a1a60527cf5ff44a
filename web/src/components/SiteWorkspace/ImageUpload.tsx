import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import { errorMessage } from '../../api/client';
import { useUpload } from '../../hooks/useUpload';
import type { PickedPicture } from '../../lib/pendingEdits';
import styles from './SiteWorkspace.module.css';

const TYPES = ['image/png', 'image/jpeg', 'image/webp'];

/** The file as a data URL: what the live preview shows (the preview origin cannot load this page's blob: URLs). */
function dataUrlOf(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => (typeof reader.result === 'string' ? resolve(reader.result) : reject(new Error('The file could not be read')));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read'));
    reader.readAsDataURL(file);
  });
}

/**
 * A new picture for an image: "Upload…" (a file picker, so keyboards and phones work) or a file dropped
 * on the area. The file goes to POST /api/uploads; the edit carries only the upload's id, and the live
 * preview shows the file itself. On Apply the server sends it to v0 as an attachment.
 */
export function ImageUpload({ onPicked, children }: { onPicked: (p: PickedPicture) => void; children?: ReactNode }) {
  const upload = useUpload();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [reading, setReading] = useState<string | null>(null);

  const take = async (file: File | undefined) => {
    if (!file) return;
    setProblem(null);
    if (!TYPES.includes(file.type)) {
      setProblem(`${file.name} is not a PNG, JPEG or WebP picture`);
      return;
    }
    setReading(file.name);
    try {
      const [preview, uploaded] = await Promise.all([dataUrlOf(file), upload.mutateAsync(file)]);
      onPicked({ image: { source: 'upload', id: uploaded.id }, name: file.name, preview });
    } catch (err) {
      setProblem(errorMessage(err));
    } finally {
      setReading(null);
    }
  };
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    void take(e.dataTransfer.files[0]);
  };

  return (
    <div
      className={styles.imageDrop}
      data-testid="design-image-drop"
      data-dragging={dragging || undefined}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className={styles.imageActions}>
        <button type="button" className={styles.small} data-testid="design-upload-image" disabled={reading !== null} onClick={() => input.current?.click()}>
          {reading ? `Uploading ${reading}…` : 'Upload…'}
        </button>
        {children}
        <span className={styles.muted}>or drop a picture here</span>
      </div>
      <input
        ref={input}
        type="file"
        accept={TYPES.join(',')}
        className={styles.fileInput}
        data-testid="design-upload-input"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          void take(e.target.files?.[0]);
          e.target.value = '';
        }}
      />
      {problem && (
        <p className={styles.error} role="alert" data-testid="design-upload-error">
          {problem}
        </p>
      )}
    </div>
  );
}
