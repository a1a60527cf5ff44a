import type { DesignAttribute, DesignEdit, DesignEditKind, DesignImage } from '@orchestrator/shared';

/*
 * Design mode's pending edits: at most one per element and property, keeping the value the element had
 * before the first change (so undo restores it and Apply says before → after once). An edit back to
 * its original value disappears. A picture (an upload or a gallery image) replacing an image's src is
 * an edit with `image`: its `after` is the picture's name, and `preview` what the live page shows.
 */

export interface PendingEdit extends DesignEdit {
  /** What the live preview shows for a picture (a data URL, or the gallery file's URL); never sent. */
  preview?: string;
}

export interface EditTarget {
  selector: string;
  kind: DesignEditKind;
  name?: DesignAttribute | undefined;
}

/** A picture chosen for an image: what goes to the server, its name, and what the preview shows. */
export interface PickedPicture {
  image: DesignImage;
  name: string;
  preview: string;
}

const same = (e: PendingEdit, t: EditTarget) => e.selector === t.selector && e.kind === t.kind && (e.name ?? null) === (t.name ?? null);

/**
 * The list after setting `target` to `value` (or to a picture, whose name is then the value); `current`
 * is the element's value now (the original if it has no edit yet).
 */
export function upsertEdit(edits: readonly PendingEdit[], target: EditTarget, current: string, value: string, picture?: PickedPicture): PendingEdit[] {
  const old = edits.find((e) => same(e, target));
  const before = old ? old.before : current;
  const rest = edits.filter((e) => !same(e, target));
  if (!picture && value === before) return rest;
  const after = picture ? picture.name : value;
  const edit: PendingEdit = {
    selector: target.selector,
    kind: target.kind,
    ...(target.name ? { name: target.name } : {}),
    before,
    after,
    ...(picture ? { image: picture.image, preview: picture.preview } : {}),
  };
  return old ? edits.map((e) => (same(e, target) ? edit : e)) : [...rest, edit];
}

export function removeEdit(edits: readonly PendingEdit[], target: EditTarget): PendingEdit[] {
  return edits.filter((e) => !same(e, target));
}

/** What the live page shows for an edit. */
export const liveValue = (e: PendingEdit): string => e.preview ?? e.after;

/** The edit as the API takes it (without what only the page needs). */
export function wireEdit(e: PendingEdit): DesignEdit {
  const { preview: _preview, ...edit } = e;
  return edit;
}
