/*
 * A small syntax highlighter for the files v0 writes (TSX/TS/JS, CSS, JSON, HTML, Markdown): one regex
 * pass into tokens the file viewer colours. Not a parser; enough to read code comfortably without a
 * highlighting library in the bundle.
 */

export type TokenKind = 'plain' | 'comment' | 'string' | 'keyword' | 'number' | 'tag' | 'attr' | 'property';

export interface Token {
  text: string;
  kind: TokenKind;
}

const JS_KEYWORDS = new Set(
  'import export from default function return const let var if else for while do switch case break continue new class extends interface type enum as async await try catch finally throw typeof instanceof in of null undefined true false this void yield static public private readonly implements'.split(
    ' ',
  ),
);

type Language = 'js' | 'css' | 'json' | 'html' | 'text';

export function languageOf(fileName: string): Language {
  const ext = fileName.split('.').pop()?.toLowerCase() ?? '';
  if (['ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs'].includes(ext)) return 'js';
  if (['css', 'scss'].includes(ext)) return 'css';
  if (ext === 'json') return 'json';
  if (['html', 'htm', 'svg', 'xml'].includes(ext)) return 'html';
  return 'text';
}

const JS = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|(<\/?[A-Za-z][\w.-]*)|(\b\d+(?:\.\d+)?\b)|(\b[A-Za-z_$][\w$]*\b)(?=\s*=\s*["{])|(\b[A-Za-z_$][\w$]*\b)/g;
const CSS = /(\/\*[\s\S]*?\*\/)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(@[\w-]+)|(\b\d+(?:\.\d+)?(?:px|rem|em|%|vh|vw|s|ms)?\b)|([\w-]+)(?=\s*:)/g;
const JSON_RE = /("(?:[^"\\\n]|\\.)*")(\s*:)?|(\b-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)|(\btrue\b|\bfalse\b|\bnull\b)/g;
const HTML = /(<!--[\s\S]*?-->)|("(?:[^"\n])*"|'(?:[^'\n])*')|(<\/?[A-Za-z][\w:-]*)|(\b[\w:-]+)(?==)/g;

export function highlight(code: string, fileName: string): Token[] {
  const lang = languageOf(fileName);
  if (lang === 'text') return [{ text: code, kind: 'plain' }];
  const out: Token[] = [];
  let last = 0;
  const push = (text: string, kind: TokenKind) => {
    if (!text) return;
    const prev = out[out.length - 1];
    if (prev && prev.kind === kind) prev.text += text;
    else out.push({ text, kind });
  };
  const re = new RegExp({ js: JS, css: CSS, json: JSON_RE, html: HTML }[lang]);
  for (let m = re.exec(code); m; m = re.exec(code)) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    push(code.slice(last, m.index), 'plain');
    last = m.index + m[0].length;
    if (lang === 'js') {
      const kind: TokenKind = m[1] ? 'comment' : m[2] ? 'string' : m[3] ? 'tag' : m[4] ? 'number' : m[5] ? 'attr' : JS_KEYWORDS.has(m[6] ?? '') ? 'keyword' : 'plain';
      push(m[0], kind);
    } else if (lang === 'css') {
      push(m[0], m[1] ? 'comment' : m[2] ? 'string' : m[3] ? 'keyword' : m[4] ? 'number' : 'property');
    } else if (lang === 'json') {
      if (m[1]) {
        push(m[1], m[2] ? 'property' : 'string');
        push(m[2] ?? '', 'plain');
      } else push(m[0], m[3] ? 'number' : 'keyword');
    } else push(m[0], m[1] ? 'comment' : m[2] ? 'string' : m[3] ? 'tag' : 'attr');
  }
  push(code.slice(last), 'plain');
  return out;
}
