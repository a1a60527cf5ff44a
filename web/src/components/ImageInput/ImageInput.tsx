import { useLayoutEffect, useRef, useState, type DragEvent } from 'react';
import { errorMessage } from '../../api/client';
import { useUpload } from '../../hooks/useUpload';
import { useSelection } from '../../state/selection';
import styles from './ImageInput.module.css';

/** The chosen input image: an upload or a gallery asset, with a URL to preview it. */
export interface InputImage {
  id: string;
  url: string;
  label: string;
}

interface Props {
  id: string;
  value: InputImage | null;
  onChange: (value: InputImage | null) => void;
}

/**
 * An input image by drag-and-drop, file picker (POST /api/uploads) or the asset selected in the
 * gallery. Only the id goes into the request.
 */
export function ImageInput({ id, value, onChange }: Props) {
  const upload = useUpload();
  const selected = useSelection((s) => s.selected);
  const [dragging, setDragging] = useState(false);
  // An upload finishes renders later: it must report through the parent's current onChange, not the one
  // it started with, or edits made meanwhile (a ControlNet's preprocessor, say) are overwritten.
  const latestOnChange = useRef(onChange);
  useLayoutEffect(() => {
    latestOnChange.current = onChange;
  });

  const send = (file: File | undefined) => {
    if (!file) return;
    upload.mutate(file, { onSuccess: (u) => latestOnChange.current({ id: u.id, url: u.url, label: file.name }) });
  };
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    send(e.dataTransfer.files[0]);
  };
  const selectedAsset = selected?.kind === 'asset' ? selected.id : null;

  return (
    <div
      className={styles.drop}
      data-dragging={dragging || undefined}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {value ? (
        <div className={styles.preview}>
          <img src={value.url} alt="" className={styles.thumb} />
          <span className={styles.name}>{value.label}</span>
          <button type="button" className={styles.link} onClick={() => onChange(null)}>
            Remove
          </button>
        </div>
      ) : (
        <p className={styles.prompt}>{upload.isPending ? 'Uploading…' : 'Drop an image here, or'}</p>
      )}
      <div className={styles.actions}>
        <label className={styles.link}>
          Choose file…
          <input
            id={id}
            type="file"
            accept="image/png,image/jpeg,image/webp"
            data-testid="upload-input"
            className={styles.file}
            onChange={(e) => {
              send(e.target.files?.[0]);
              e.target.value = '';
            }}
          />
        </label>
        <button
          type="button"
          className={styles.link}
          disabled={!selectedAsset}
          title={selectedAsset ? undefined : 'Select an image in the gallery first'}
          onClick={() =>
            selectedAsset &&
            onChange({ id: selectedAsset, url: `/api/assets/${encodeURIComponent(selectedAsset)}/thumb`, label: 'Selected gallery image' })
          }
        >
          Use selected gallery image
        </button>
      </div>
      {upload.error && (
        <p className={styles.error} role="alert">
          {errorMessage(upload.error)}
        </p>
      )}
    </div>
  );
}
