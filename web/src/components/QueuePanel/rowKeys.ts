import type { KeyboardEvent } from 'react';

/*
 * Arrow keys between the rows of a list whose rows hold several controls: Up/Down go to the same
 * control (by its data-control) in the row above or below, Home/End to the first or last row. Tab
 * still walks every control. A <select> keeps its arrows: they change its value.
 */

const FOCUSABLE = 'button:not(:disabled), select:not(:disabled), a[href], [tabindex="0"]';

function controlIn(row: HTMLElement, control: string | undefined): HTMLElement | null {
  const named = control ? row.querySelector<HTMLElement>(`[data-control="${control}"]:not(:disabled)`) : null;
  return named ?? row.querySelector<HTMLElement>(FOCUSABLE);
}

export function onRowKeyDown(e: KeyboardEvent<HTMLElement>): void {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  const target = e.target as HTMLElement;
  if (target.tagName === 'SELECT' || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA') return;
  const row = target.closest<HTMLElement>('[data-row]');
  if (!row) return;
  const rows = [...e.currentTarget.querySelectorAll<HTMLElement>('[data-row]')];
  const at = rows.indexOf(row);
  const next = e.key === 'ArrowDown' ? at + 1 : e.key === 'ArrowUp' ? at - 1 : e.key === 'Home' ? 0 : rows.length - 1;
  const dest = rows[next];
  if (!dest || dest === row) return;
  const el = controlIn(dest, target.dataset.control);
  if (!el) return;
  e.preventDefault();
  el.focus();
}

/** Focuses a control of a row, by the row's job id or else its index (the row that took a removed one's place). */
export function focusRowControl(list: HTMLElement, target: { id?: string; index: number; control: string }): boolean {
  const rows = [...list.querySelectorAll<HTMLElement>('[data-row]')];
  const row = (target.id ? rows.find((r) => r.dataset.row === target.id) : undefined) ?? rows[Math.min(target.index, rows.length - 1)];
  const el = row ? controlIn(row, target.control) : null;
  el?.focus();
  return el !== null;
}
