import { describe, expect, it } from 'vitest';
import { addPrompt, recallStep, searchPrompts } from './promptHistory';

describe('prompt history', () => {
  it('keeps prompts newest first, once each, trimmed, capped', () => {
    let list: string[] = [];
    for (const p of ['a fox', 'a lighthouse ', '  ', 'a fox', 'a castle']) list = addPrompt(list, p, 3);
    expect(list).toEqual(['a castle', 'a fox', 'a lighthouse']);
    expect(addPrompt(list, 'a boat', 3)).toEqual(['a boat', 'a castle', 'a fox']);
  });

  it('finds prompts holding every word, in any case and order', () => {
    const list = ['A red fox in the snow', 'a lighthouse at dusk', 'fox and lighthouse'];
    expect(searchPrompts(list, 'FOX')).toEqual(['A red fox in the snow', 'fox and lighthouse']);
    expect(searchPrompts(list, 'lighthouse fox')).toEqual(['fox and lighthouse']);
    expect(searchPrompts(list, '  ')).toEqual(list);
  });

  it('recalls older and newer prompts from an empty box and gives back what was there', () => {
    const list = ['third', 'second', 'first'];
    let s = recallStep(list, '', null, 'older')!;
    expect(s.value).toBe('third');
    s = recallStep(list, s.value, s.recall, 'older')!;
    expect(s.value).toBe('second');
    s = recallStep(list, s.value, s.recall, 'older')!;
    expect(s.value).toBe('first');
    expect(recallStep(list, s.value, s.recall, 'older')).toBeNull();
    s = recallStep(list, s.value, s.recall, 'newer')!;
    expect(s.value).toBe('second');
    s = recallStep(list, s.value, s.recall, 'newer')!;
    s = recallStep(list, s.value, s.recall, 'newer')!;
    expect(s).toEqual({ value: '', recall: null });
    expect(recallStep(list, '', null, 'newer')).toBeNull();
  });

  it('starts from the prompt just submitted, and leaves edited text to the caret', () => {
    const list = ['third', 'second', 'first'];
    expect(recallStep(list, 'third', null, 'older')?.value).toBe('second');
    expect(recallStep(list, 'third, edited', null, 'older')).toBeNull();
    const s = recallStep(list, '', null, 'older')!;
    expect(recallStep(list, `${s.value}!`, s.recall, 'older')).toBeNull();
  });
});
