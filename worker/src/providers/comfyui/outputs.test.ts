import { describe, expect, it } from 'vitest';
import { outputImages } from './outputs.js';

describe('outputImages', () => {
  it('takes saved files from images and from VideoHelperSuite gifs, once each, leaving previews out', () => {
    const files = outputImages({
      outputs: {
        '9': { images: [{ filename: 'a_00001_.png', subfolder: '', type: 'output' }] },
        '12': { gifs: [{ filename: 'clip_00001.mp4', subfolder: 'video', type: 'output' }] },
        '13': { images: [{ filename: 'preview.png', subfolder: '', type: 'temp' }, { filename: 'a_00001_.png', subfolder: '', type: 'output' }] },
      },
    });
    expect(files.map((f) => f.filename)).toEqual(['a_00001_.png', 'clip_00001.mp4']);
  });

  it('falls back to previews when nothing was saved', () => {
    expect(outputImages({ outputs: { '3': { images: [{ filename: 'p.png', subfolder: '', type: 'temp' }] } } }).map((f) => f.type)).toEqual(['temp']);
  });
});
