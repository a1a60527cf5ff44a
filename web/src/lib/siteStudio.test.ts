import { describe, expect, it } from 'vitest';
import { highlight } from './codeHighlight';
import { lineDiff } from './lineDiff';
import { removeEdit, upsertEdit } from './pendingEdits';

const H1 = { selector: 'body > h1:nth-of-type(1)', kind: 'text' as const };

describe('pending design edits', () => {
  it('keeps one edit per element and property, with the first before, and drops an edit back to the original', () => {
    let edits = upsertEdit([], H1, 'Old', 'New');
    edits = upsertEdit(edits, H1, 'New', 'Newer');
    expect(edits).toEqual([{ ...H1, before: 'Old', after: 'Newer' }]);
    edits = upsertEdit(edits, { ...H1, kind: 'attr', name: 'href' }, '/a', '/b');
    expect(edits).toHaveLength(2);
    expect(upsertEdit(edits, H1, 'Newer', 'Old')).toEqual([{ ...H1, kind: 'attr', name: 'href', before: '/a', after: '/b' }]);
    expect(removeEdit(edits, { ...H1, kind: 'attr', name: 'href' })).toEqual([{ ...H1, before: 'Old', after: 'Newer' }]);
  });
});

describe('line diff and highlighting', () => {
  it('marks added and removed lines with their numbers', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc')).toEqual([
      { kind: 'same', text: 'a', a: 1, b: 1 },
      { kind: 'del', text: 'b', a: 2 },
      { kind: 'add', text: 'B', b: 2 },
      { kind: 'same', text: 'c', a: 3, b: 3 },
    ]);
  });

  it('tokenizes TSX into keywords, strings, tags and attributes, losing no text', () => {
    const code = 'export default function Page() {\n  return <h1 className="big">Hi</h1> // done\n}';
    const tokens = highlight(code, 'app/page.tsx');
    expect(tokens.map((t) => t.text).join('')).toBe(code);
    expect(tokens.filter((t) => t.kind === 'keyword').map((t) => t.text.trim())).toContain('export');
    expect(tokens.some((t) => t.kind === 'string' && t.text === '"big"')).toBe(true);
    expect(tokens.some((t) => t.kind === 'tag' && t.text === '<h1')).toBe(true);
    expect(tokens.some((t) => t.kind === 'attr' && t.text === 'className')).toBe(true);
    expect(tokens.some((t) => t.kind === 'comment')).toBe(true);
  });
});
