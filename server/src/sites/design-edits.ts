import type { DesignEdit } from '@orchestrator/shared';

/*
 * The one v0 follow-up that applies a batch of design-mode edits. Each change is listed precisely: the
 * element's stable selector and tag, what changes (text, classes, or an attribute), before → after as
 * JSON strings (unambiguous quoting, whitespace kept), and where the old value is in the version's
 * files (file and line) when it is found there. A picture that replaces an image's src travels as a
 * message attachment: the change reads `"old src" → attachment N (file name)`, and a line before the
 * list says which attachment is which.
 */

export interface SourceFile {
  name: string;
  content: string;
}

export interface SourceLocation {
  file: string;
  line: number;
}

/** Where `needle` first occurs in the files (names in order), by 1-based line; null when nowhere or empty. */
export function locate(files: readonly SourceFile[], needle: string): SourceLocation | null {
  const n = needle.trim();
  if (n.length === 0) return null;
  for (const f of files) {
    const at = f.content.indexOf(n);
    if (at >= 0) return { file: f.name, line: f.content.slice(0, at).split('\n').length };
  }
  return null;
}

const tagOf = (selector: string): string => {
  const last = selector.split(' > ').pop() ?? selector;
  return last.startsWith('#') ? 'element' : `<${last.replace(/:nth-of-type\(\d+\)$/, '')}>`;
};

function classDelta(before: string, after: string): string {
  const b = new Set(before.split(/\s+/).filter(Boolean));
  const a = new Set(after.split(/\s+/).filter(Boolean));
  const added = [...a].filter((c) => !b.has(c));
  const removed = [...b].filter((c) => !a.has(c));
  const parts = [...(added.length ? [`added ${added.join(' ')}`] : []), ...(removed.length ? [`removed ${removed.join(' ')}`] : [])];
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/** A picture sent with the message: its 1-based place among the attachments, and its name. */
export interface AttachedPicture {
  n: number;
  name: string;
}

const attachmentLabel = (a: AttachedPicture): string => `attachment ${a.n} (${a.name})`;

function describe(e: DesignEdit, files: readonly SourceFile[], picture: AttachedPicture | undefined): string {
  const where = `the ${tagOf(e.selector)} at \`${e.selector}\``;
  const what = e.kind === 'text' ? `Text of ${where}` : e.kind === 'class' ? `Classes (className) of ${where}` : `Attribute ${e.name ?? '?'} of ${where}`;
  const change = `${JSON.stringify(e.before)} → ${picture ? attachmentLabel(picture) : JSON.stringify(e.after)}`;
  const delta = e.kind === 'class' ? classDelta(e.before, e.after) : '';
  const loc = locate(files, e.before);
  const found = loc ? ` — in ${loc.file}, line ${loc.line}` : ' — not found verbatim in the files; find the element by its selector';
  return `${what}: ${change}${delta}${found}`;
}

/**
 * The follow-up message for a batch of edits made on `versionId`. `pictures[i]` is the attachment that
 * replaces edit i's src (for edits with an image); the same picture may serve several edits.
 */
export function designEditMessage(
  versionId: string,
  edits: readonly DesignEdit[],
  files: readonly SourceFile[],
  pictures: readonly (AttachedPicture | undefined)[] = [],
): string {
  const attached = [...new Map(pictures.filter((p): p is AttachedPicture => p !== undefined).map((p) => [p.n, p])).values()].sort((a, b) => a.n - b.n);
  return [
    `Apply ${edits.length === 1 ? 'this design edit' : `these ${edits.length} design edits`} made in the visual editor on version ${versionId}.`,
    'Change exactly these elements and nothing else; keep the layout, content and code otherwise as they are.',
    'Selectors are CSS paths in the rendered page; values are JSON strings.',
    ...(attached.length > 0
      ? [
          `${attached.length === 1 ? 'One picture is' : `${attached.length} pictures are`} attached to this message, in order: ${attached.map((a) => `${attachmentLabel(a)}`).join(', ')}.`,
          'Add each picture to the project (e.g. under public/) and make the element it replaces show it.',
        ]
      : []),
    '',
    ...edits.map((e, i) => `${i + 1}. ${describe(e, files, pictures[i])}`),
  ].join('\n');
}
