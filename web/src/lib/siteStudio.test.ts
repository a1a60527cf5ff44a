import { describe, expect, it } from 'vitest';
import { highlight } from './codeHighlight';
import { lineDiff } from './lineDiff';
import { liveValue, removeEdit, upsertEdit, wireEdit } from './pendingEdits';

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

describe('pending picture edits', () => {
  const SRC = { selector: 'body > img:nth-of-type(1)', kind: 'attr' as const, name: 'src' as const };
  const hero = { image: { source: 'upload' as const, id: '0f0f0f0f-0000-4000-8000-000000000001' }, name: 'hero.png', preview: 'data:image/png;base64,AAAA' };

  it('keeps a picture as the src edit: its name as after, the image by id, the preview only for the page', () => {
    const edits = upsertEdit([], SRC, '/placeholder.svg', hero.name, hero);
    expect(edits).toEqual([{ ...SRC, before: '/placeholder.svg', after: 'hero.png', image: hero.image, preview: hero.preview }]);
    expect(liveValue(edits[0]!)).toBe(hero.preview);
    expect(wireEdit(edits[0]!)).toEqual({ ...SRC, before: '/placeholder.svg', after: 'hero.png', image: hero.image });
    // Another picture, then a typed URL, replace it (the first before stays); a picture named like the old src is still a change.
    const gallery = { image: { source: 'asset' as const, id: '0123456789abcdef' }, name: 'sunset.png', preview: 'http://x/api/assets/0123456789abcdef/file' };
    expect(upsertEdit(edits, SRC, 'data:…', gallery.name, gallery)).toEqual([{ ...SRC, before: '/placeholder.svg', after: 'sunset.png', image: gallery.image, preview: gallery.preview }]);
    expect(upsertEdit(edits, SRC, 'data:…', '/b.png')).toEqual([{ ...SRC, before: '/placeholder.svg', after: '/b.png' }]);
    expect(upsertEdit([], SRC, 'hero.png', 'hero.png', hero)).toHaveLength(1);
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
