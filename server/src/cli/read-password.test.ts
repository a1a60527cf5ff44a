import { EventEmitter } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Cancelled, readAll, readHidden, type TerminalInput } from './read-password.js';

/** A terminal that records its raw mode; `type` sends keystrokes as a TTY would in raw mode. */
function fakeTerminal() {
  const modes: boolean[] = [];
  const input = Object.assign(new EventEmitter(), {
    setRawMode: (on: boolean) => modes.push(on),
    setEncoding: () => undefined,
    resume: () => undefined,
    pause: () => undefined,
  }) satisfies TerminalInput;
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d: Buffer) => (shown += d.toString()));
  return { input, output, modes, shown: () => shown, type: (keys: string) => input.emit('data', keys) };
}

describe('reading a password', () => {
  it('at a terminal: raw mode, nothing of the password echoed, Backspace and arrow keys handled', async () => {
    const t = fakeTerminal();
    const answer = readHidden('Password for ada: ', t.input, t.output);
    t.type('cor');
    t.type('x\u007f');
    t.type('\u001b[Drect horse');
    t.type('\r');
    await expect(answer).resolves.toBe('correct horse');
    expect(t.modes).toEqual([true, false]);
    expect(t.shown()).toBe('Password for ada: \n');
    expect(t.input.listenerCount('data')).toBe(0);
  });

  it('at a terminal: Ctrl-C cancels and gives the terminal back', async () => {
    const t = fakeTerminal();
    const answer = readHidden('Password: ', t.input, t.output);
    t.type('abc\u0003');
    await expect(answer).rejects.toBeInstanceOf(Cancelled);
    expect(t.modes).toEqual([true, false]);
  });

  it('from stdin: everything, less one trailing newline (spaces are kept)', async () => {
    await expect(readAll(Readable.from(['pass', 'word \n']))).resolves.toBe('password ');
    await expect(readAll(Readable.from(['pw\r\n']))).resolves.toBe('pw');
    await expect(readAll(Readable.from([Buffer.from('pw')]))).resolves.toBe('pw');
  });
});
