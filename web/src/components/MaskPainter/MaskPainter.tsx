import { useCallback, useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { useModalDialog } from '../../hooks/useModalDialog';
import { alphaFromMaskImage, alphaOf, coverage, featherAlpha, invertAlpha, maskImage, maskSize } from '../../lib/maskCanvas';
import styles from './MaskPainter.module.css';

/*
 * Paints an inpainting mask over the picture (issue 14): with a mouse, a pen or a finger (pointer
 * events, `touch-action: none`), a brush and an eraser of any size, invert, clear, undo and a feather
 * (a soft edge, previewed by blurring the overlay and applied when the mask is made). The mask is kept
 * in the alpha channel of a canvas the picture's size (capped at 2048 px) and handed back as an opaque
 * grey PNG: white = repaint. Lazy-loaded: the form's chunk does not carry it.
 */

/** The overlay's tint: a magenta that shows on photos and renders alike. */
const TINT = [255, 40, 140] as const;
const MAX_UNDO = 30;

export interface MaskPainterProps {
  /** The picture, full size (the mask takes its aspect ratio and size). */
  imageUrl: string;
  /** A mask painted before, to go on with (its red channel). */
  initialMaskUrl?: string | undefined;
  onCancel: () => void;
  /** The finished mask: a PNG the picture's aspect ratio, white = repaint. */
  onDone: (mask: File) => void;
  busy?: boolean;
  error?: string | null;
}

type Tool = 'brush' | 'erase';

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`Could not load ${url}`));
    img.src = url;
  });
}

export default function MaskPainter({ imageUrl, initialMaskUrl, onCancel, onDone, busy = false, error }: MaskPainterProps) {
  const modal = useModalDialog(onCancel);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [tool, setTool] = useState<Tool>('brush');
  const [brush, setBrush] = useState(48);
  const [feather, setFeather] = useState(8);
  const [undoCount, setUndoCount] = useState(0);
  const [painted, setPainted] = useState(false);
  const [ring, setRing] = useState<{ x: number; y: number; d: number } | null>(null);
  const undo = useRef<ImageData[]>([]);
  const stroke = useRef<{ id: number; x: number; y: number } | null>(null);

  const ctx = useCallback(() => canvasRef.current?.getContext('2d', { willReadFrequently: true }) ?? null, []);

  // The picture's size decides the mask's; a mask painted before is drawn back in.
  useEffect(() => {
    let cancelled = false;
    loadImage(imageUrl)
      .then(async (img) => {
        if (cancelled) return;
        const s = maskSize(img.naturalWidth, img.naturalHeight);
        setSize(s);
        if (!initialMaskUrl) return;
        const mask = await loadImage(initialMaskUrl);
        const c = canvasRef.current?.getContext('2d', { willReadFrequently: true });
        if (cancelled || !c) return;
        c.drawImage(mask, 0, 0, s.width, s.height);
        const data = c.getImageData(0, 0, s.width, s.height);
        alphaFromMaskImage(data.data, TINT);
        c.putImageData(data, 0, 0);
        setPainted(coverage(alphaOf(data.data)) > 0);
      })
      .catch((err: unknown) => !cancelled && setLoadError(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
    };
  }, [imageUrl, initialMaskUrl]);

  const snapshot = useCallback(() => {
    const c = ctx();
    if (!c || !size) return;
    undo.current.push(c.getImageData(0, 0, size.width, size.height));
    if (undo.current.length > MAX_UNDO) undo.current.shift();
    setUndoCount(undo.current.length);
  }, [ctx, size]);

  const toCanvas = (e: { clientX: number; clientY: number }) => {
    const canvas = canvasRef.current!;
    const rect = canvas.getBoundingClientRect();
    return { x: ((e.clientX - rect.left) * canvas.width) / rect.width, y: ((e.clientY - rect.top) * canvas.height) / rect.height, scale: rect.width / canvas.width };
  };

  const paint = (from: { x: number; y: number }, to: { x: number; y: number }) => {
    const c = ctx();
    if (!c) return;
    c.globalCompositeOperation = tool === 'erase' ? 'destination-out' : 'source-over';
    c.strokeStyle = c.fillStyle = `rgb(${TINT.join(',')})`;
    c.lineWidth = brush;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
    c.beginPath();
    c.arc(to.x, to.y, brush / 2, 0, Math.PI * 2);
    c.fill();
    c.globalCompositeOperation = 'source-over';
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0 || busy) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    snapshot();
    const p = toCanvas(e);
    stroke.current = { id: e.pointerId, x: p.x, y: p.y };
    paint(p, p);
    if (tool === 'brush') setPainted(true);
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const p = toCanvas(e);
    const rect = e.currentTarget.getBoundingClientRect();
    setRing({ x: e.clientX - rect.left, y: e.clientY - rect.top, d: brush * p.scale });
    const s = stroke.current;
    if (!s || s.id !== e.pointerId) return;
    // Coalesced events keep a fast stroke smooth (a pen or a finger sends many per frame).
    const points = typeof e.nativeEvent.getCoalescedEvents === 'function' ? e.nativeEvent.getCoalescedEvents() : [];
    let last = { x: s.x, y: s.y };
    for (const pe of points.length > 0 ? points : [e.nativeEvent]) {
      const q = toCanvas(pe);
      paint(last, q);
      last = q;
    }
    stroke.current = { id: s.id, ...last };
  };

  const endStroke = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (stroke.current?.id === e.pointerId) stroke.current = null;
    if (e.type === 'pointerleave' || e.type === 'pointercancel') setRing(null);
  };

  const doUndo = useCallback(() => {
    const c = ctx();
    const last = undo.current.pop();
    if (!c || !last) return;
    c.putImageData(last, 0, 0);
    setUndoCount(undo.current.length);
    setPainted(coverage(alphaOf(last.data)) > 0);
  }, [ctx]);

  const doInvert = useCallback(() => {
    const c = ctx();
    if (!c || !size) return;
    snapshot();
    const data = c.getImageData(0, 0, size.width, size.height);
    invertAlpha(data.data, TINT);
    c.putImageData(data, 0, 0);
    setPainted(coverage(alphaOf(data.data)) > 0);
  }, [ctx, size, snapshot]);

  const doClear = useCallback(() => {
    const c = ctx();
    if (!c || !size) return;
    snapshot();
    c.clearRect(0, 0, size.width, size.height);
    setPainted(false);
  }, [ctx, size, snapshot]);

  const finish = () => {
    const c = ctx();
    if (!c || !size || !painted) return;
    const alpha = featherAlpha(alphaOf(c.getImageData(0, 0, size.width, size.height).data), size.width, size.height, feather);
    const out = document.createElement('canvas');
    out.width = size.width;
    out.height = size.height;
    out.getContext('2d')!.putImageData(new ImageData(maskImage(alpha), size.width, size.height), 0, 0);
    out.toBlob((blob) => blob && onDone(new File([blob], 'mask.png', { type: 'image/png' })), 'image/png');
  };

  const onKeyDown = (e: ReactKeyboardEvent<HTMLDialogElement>) => {
    const target = e.target as HTMLElement;
    if (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'range') return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      doUndo();
    } else if (!mod && !e.altKey) {
      const key = e.key.toLowerCase();
      if (key === 'b') setTool('brush');
      else if (key === 'e') setTool('erase');
      else if (key === 'i') doInvert();
      else if (key === '[') setBrush((b) => Math.max(2, Math.round(b / 1.25)));
      else if (key === ']') setBrush((b) => Math.min(400, Math.round(b * 1.25)));
      else return;
      e.preventDefault();
    }
  };

  const featherPreview = ring ? feather * (ring.d / Math.max(brush, 1)) : 0;

  return (
    <dialog {...modal} className={styles.dialog} aria-labelledby="mask-painter-title" onKeyDown={onKeyDown} data-testid="mask-painter">
      <header className={styles.header}>
        <h2 id="mask-painter-title" className={styles.title}>
          Paint what to repaint
        </h2>
        <button type="button" className={styles.close} onClick={onCancel} aria-label="Close">
          ×
        </button>
      </header>
      <div className={styles.toolbar} role="toolbar" aria-label="Mask tools">
        <div className={styles.group} role="group" aria-label="Tool">
          <button type="button" className={styles.tool} aria-pressed={tool === 'brush'} onClick={() => setTool('brush')} title="Brush (B)" data-testid="mask-brush">
            Brush
          </button>
          <button type="button" className={styles.tool} aria-pressed={tool === 'erase'} onClick={() => setTool('erase')} title="Eraser (E)" data-testid="mask-erase">
            Erase
          </button>
        </div>
        <label className={styles.slider}>
          <span>Size</span>
          <input type="range" min={2} max={400} value={brush} onChange={(e) => setBrush(Number(e.target.value))} aria-label="Brush size, in pixels of the picture" data-testid="mask-size" />
          <output className={styles.value}>{brush}</output>
        </label>
        <label className={styles.slider}>
          <span>Feather</span>
          <input type="range" min={0} max={64} value={feather} onChange={(e) => setFeather(Number(e.target.value))} aria-label="Feather: a soft edge, in pixels" />
          <output className={styles.value}>{feather}</output>
        </label>
        <div className={styles.group} role="group" aria-label="Edit">
          <button type="button" className={styles.tool} onClick={doUndo} disabled={undoCount === 0} title="Undo (Ctrl+Z)" data-testid="mask-undo">
            Undo
          </button>
          <button type="button" className={styles.tool} onClick={doInvert} title="Invert (I)" data-testid="mask-invert">
            Invert
          </button>
          <button type="button" className={styles.tool} onClick={doClear} disabled={!painted} data-testid="mask-clear">
            Clear
          </button>
        </div>
      </div>
      <div className={styles.stage}>
        {loadError && <p className={styles.error}>{loadError}</p>}
        {size && (
          <div className={styles.frame} style={{ ['--ratio' as string]: String(size.width / size.height) }}>
            <img src={imageUrl} alt="The picture to inpaint" className={styles.picture} draggable={false} />
            <canvas
              ref={canvasRef}
              width={size.width}
              height={size.height}
              className={styles.canvas}
              style={feather > 0 && ring ? { filter: `blur(${Math.min(12, featherPreview / 2)}px)` } : undefined}
              onPointerDown={onPointerDown}
              onPointerMove={onPointerMove}
              onPointerUp={endStroke}
              onPointerCancel={endStroke}
              onPointerLeave={endStroke}
              data-testid="mask-canvas"
              aria-label="Mask: paint over the parts to repaint"
              data-tool={tool}
            />
            {ring && <span className={styles.ring} style={{ left: ring.x, top: ring.y, width: ring.d, height: ring.d }} aria-hidden="true" />}
          </div>
        )}
        {!size && !loadError && <p className={styles.muted}>Loading the picture…</p>}
      </div>
      <p className={styles.help}>
        Paint with the mouse, a pen or a finger. <kbd>B</kbd> brush · <kbd>E</kbd> eraser · <kbd>[</kbd> <kbd>]</kbd> size · <kbd>I</kbd> invert · <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo.
        Nothing painted? Invert marks the whole picture.
      </p>
      {error && (
        <p className={styles.error} role="alert">
          {error}
        </p>
      )}
      <footer className={styles.actions}>
        <button type="button" className={styles.button} onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={`${styles.button} ${styles.primary}`} onClick={finish} disabled={!painted || busy} data-testid="mask-done">
          {busy ? 'Saving…' : 'Use this mask'}
        </button>
      </footer>
    </dialog>
  );
}
