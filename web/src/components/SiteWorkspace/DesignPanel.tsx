import { useState, type KeyboardEvent } from 'react';
import type { DesignAttribute, OverlayElement } from '@orchestrator/shared';
import type { EditTarget, PendingEdit, PickedPicture } from '../../lib/pendingEdits';
import { ImagePicker } from './ImagePicker';
import { ImageUpload } from './ImageUpload';
import styles from './SiteWorkspace.module.css';

interface Props {
  designMode: boolean;
  selected: OverlayElement | null;
  edits: readonly PendingEdit[];
  /** Set a property of the selected element (live in the preview, and as a pending edit); a picture replaces an image's src. */
  onEdit: (target: EditTarget, current: string, value: string, picture?: PickedPicture) => void;
  onUndo: (edit: PendingEdit) => void;
  onSelect: (selector: string | null) => void;
  onApply: () => void;
  applying: boolean;
  applyError: string | null;
}

const parentOf = (selector: string): string | null => {
  const steps = selector.split(' > ');
  return steps.length > 1 ? steps.slice(0, -1).join(' > ') : null;
};

function describe(e: PendingEdit): string {
  const what = e.kind === 'text' ? 'text' : e.kind === 'class' ? 'classes' : e.name ?? 'attribute';
  return `${what}: ${JSON.stringify(e.before)} → ${e.image ? `picture ${e.after} (attached on Apply)` : JSON.stringify(e.after)}`;
}

/** The inspector of design mode: the selected element's tag, text, classes (as chips), image and link; the pending edits. */
export function DesignPanel({ designMode, selected, edits, onEdit, onUndo, onSelect, onApply, applying, applyError }: Props) {
  const [newClass, setNewClass] = useState('');
  const [picking, setPicking] = useState(false);
  const sel = selected?.selector ?? '';
  const srcTarget: EditTarget = { selector: sel, kind: 'attr', name: 'src' };
  const picture = edits.find((e) => e.selector === sel && e.kind === 'attr' && e.name === 'src' && e.image);
  const pick = (p: PickedPicture) => {
    onEdit(srcTarget, selected?.src ?? '', p.name, p);
    setPicking(false);
  };
  const attr = (name: DesignAttribute, label: string, value: string | undefined) =>
    value !== undefined && (
      <label className={styles.field}>
        <span>{label}</span>
        <input
          data-testid={`design-${name}`}
          value={value}
          spellCheck={false}
          onChange={(e) => onEdit({ selector: sel, kind: 'attr', name }, value, e.target.value)}
        />
      </label>
    );
  const addClass = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter' || !selected) return;
    e.preventDefault();
    const add = newClass.trim().split(/\s+/).filter((c) => c && !selected.classes.includes(c));
    if (add.length === 0) return;
    const before = selected.classes.join(' ');
    onEdit({ selector: sel, kind: 'class' }, before, [...selected.classes, ...add].join(' '));
    setNewClass('');
  };

  return (
    <div className={styles.design} data-testid="design-panel">
      {!designMode && <p className={styles.muted}>Turn on Design mode, then click an element of the page to edit it.</p>}
      {designMode && !selected && <p className={styles.muted}>Hover the page and click an element. Esc clears the selection, ↑ selects the parent.</p>}
      {selected && (
        <section className={styles.element} aria-label="Selected element">
          <div className={styles.elementHead}>
            <code className={styles.tag} data-testid="design-tag">
              &lt;{selected.tag}&gt;
            </code>
            <button type="button" className={styles.small} disabled={!parentOf(sel)} onClick={() => onSelect(parentOf(sel))} title="Select the parent (↑)">
              ↑ Parent
            </button>
            <button type="button" className={styles.small} onClick={() => onSelect(null)} title="Clear the selection (Esc)">
              Clear
            </button>
          </div>
          <code className={styles.selector} title="Stable selector">
            {selected.selector}
          </code>
          {selected.text !== null && (
            <label className={styles.field}>
              <span>Text</span>
              <textarea
                data-testid="design-text"
                rows={2}
                value={selected.text}
                onChange={(e) => onEdit({ selector: sel, kind: 'text' }, selected.text ?? '', e.target.value)}
              />
            </label>
          )}
          <div className={styles.field}>
            <span>Classes</span>
            <ul className={styles.chips} data-testid="design-classes">
              {selected.classes.map((c) => (
                <li key={c} className={styles.chip} data-testid="design-class-chip">
                  {c}
                  <button
                    type="button"
                    aria-label={`Remove class ${c}`}
                    onClick={() => onEdit({ selector: sel, kind: 'class' }, selected.classes.join(' '), selected.classes.filter((x) => x !== c).join(' '))}
                  >
                    ×
                  </button>
                </li>
              ))}
              {selected.classes.length === 0 && <li className={styles.muted}>none</li>}
            </ul>
            <input
              data-testid="design-class-add"
              placeholder="Add classes (Enter), e.g. text-5xl text-blue-600"
              value={newClass}
              spellCheck={false}
              onChange={(e) => setNewClass(e.target.value)}
              onKeyDown={addClass}
            />
          </div>
          {picture ? (
            <figure className={styles.picture} data-testid="design-picture">
              {picture.preview && <img src={picture.preview} alt="" />}
              <figcaption>
                <span className={styles.pictureName}>{picture.after}</span>
                <span className={styles.muted}>New picture: sent to v0 with Apply, as an attachment.</span>
              </figcaption>
              <button type="button" className={styles.small} data-testid="design-picture-undo" onClick={() => onUndo(picture)}>
                Undo
              </button>
            </figure>
          ) : (
            attr('src', 'Image source (URL)', selected.src)
          )}
          {selected.src !== undefined && (
            <div className={styles.field}>
              <span>{picture ? 'Another picture' : 'New picture'}</span>
              <ImageUpload onPicked={pick}>
                <button type="button" className={styles.small} data-testid="design-pick-image" aria-expanded={picking} onClick={() => setPicking(!picking)}>
                  {picking ? 'Close the gallery' : 'From the gallery…'}
                </button>
              </ImageUpload>
              {picking && <ImagePicker onPick={pick} />}
            </div>
          )}
          {attr('alt', 'Image description (alt)', selected.alt)}
          {attr('href', 'Link target (href)', selected.href)}
        </section>
      )}

      <h3 className={styles.heading}>Pending edits ({edits.length})</h3>
      <ol className={styles.edits} data-testid="design-edits">
        {edits.map((e) => (
          <li key={`${e.selector}|${e.kind}|${e.name ?? ''}`}>
            <button type="button" className={styles.editTarget} onClick={() => onSelect(e.selector)} title={e.selector}>
              <code>{e.selector.split(' > ').pop()}</code> {describe(e)}
            </button>
            <button type="button" className={styles.small} data-testid="design-undo" onClick={() => onUndo(e)}>
              Undo
            </button>
          </li>
        ))}
        {edits.length === 0 && <li className={styles.muted}>No changes yet.</li>}
      </ol>
      {applyError && (
        <p className={styles.error} role="alert">
          {applyError}
        </p>
      )}
      <button type="button" className={styles.primary} data-testid="design-apply" disabled={edits.length === 0 || applying} onClick={onApply}>
        {applying ? 'Sending…' : `Apply ${edits.length || ''} edit${edits.length === 1 ? '' : 's'} through v0`}
      </button>
    </div>
  );
}
