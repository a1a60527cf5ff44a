import type { EventEmitter } from 'node:events';

/*
 * How the user CLI gets a password: typed at a terminal without echo, or piped on stdin for scripts
 * (`--password-stdin`), never as an argument (it would sit in the shell history and in `ps`).
 */

/** What readHidden needs of a terminal (process.stdin when it is a TTY). */
export interface TerminalInput extends EventEmitter {
  setRawMode(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  resume(): unknown;
  pause(): unknown;
}

export class Cancelled extends Error {
  override readonly name = 'Cancelled';
}

// Arrow keys, Home/End and the markers of a bracketed paste: not part of a password.
// eslint-disable-next-line no-control-regex -- matching ESC is the point
const ESCAPE_SEQUENCE = /\u001b\[[0-9;?]*[A-Za-z~]/g;

/** Reads one line from a terminal in raw mode, echoing nothing; Backspace edits, Ctrl-C cancels. */
export function readHidden(prompt: string, input: TerminalInput, output: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (then: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      then();
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of String(chunk).replace(ESCAPE_SEQUENCE, '')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(() => resolve(value));
        if (ch === '\u0003') return finish(() => reject(new Cancelled('cancelled')));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    // Raw (no echo) before the prompt shows: whatever is typed after seeing it is never echoed.
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
    output.write(prompt);
  });
}

/** All of stdin, less one trailing newline (`echo pw | …` and `printf pw | …` give the same). */
export async function readAll(input: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
