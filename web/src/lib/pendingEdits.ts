import type { DesignAttribute, DesignEdit, DesignEditKind } from '@orchestrator/shared';

/*
 * Design mode's pending edits: at most one per element and property, keeping the value the element had
 * before the first change (so undo restores it and Apply says before → after once). An edit back to
 * its original value disappears.
 */

export type PendingEdit = DesignEdit;

export interface EditTarget {
  selector: string;
  kind: DesignEditKind;
  name?: DesignAttribute | undefined;
}

const same = (e: PendingEdit, t: EditTarget) => e.selector === t.selector && e.kind === t.kind && (e.name ?? null) === (t.name ?? null);

/** The list after setting `target` to `value`; `current` is the element's value now (the original if it has no edit yet). */
export function upsertEdit(edits: readonly PendingEdit[], target: EditTarget, current: string, value: string): PendingEdit[] {
  const old = edits.find((e) => same(e, target));
  const before = old ? old.before : current;
  const rest = edits.filter((e) => !same(e, target));
  if (value === before) return rest;
  const edit: PendingEdit = { selector: target.selector, kind: target.kind, ...(target.name ? { name: target.name } : {}), before, after: value };
  return old ? edits.map((e) => (same(e, target) ? edit : e)) : [...rest, edit];
}

export function removeEdit(edits: readonly PendingEdit[], target: EditTarget): PendingEdit[] {
  return edits.filter((e) => !same(e, target));
}
