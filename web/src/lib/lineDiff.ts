/*
 * A line diff of two texts (longest common subsequence), for comparing a file across two versions of a
 * site. Quadratic, so it refuses inputs past a size (the caller says so rather than freezing the tab).
 */

export interface DiffLine {
  kind: 'same' | 'add' | 'del';
  text: string;
  /** Line numbers in the old and new text (1-based), where the line exists. */
  a?: number;
  b?: number;
}

export const MAX_DIFF_CELLS = 4_000_000;

/** null when the texts are too large to diff here. */
export function lineDiff(before: string, after: string): DiffLine[] | null {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > MAX_DIFF_CELLS) return null;
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: the LCS length of a[i..] and b[j..], in one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = a[i] === b[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]!, a: i + 1, b: j + 1 });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!)) {
      out.push({ kind: 'del', text: a[i]!, a: i + 1 });
      i++;
    } else {
      out.push({ kind: 'add', text: b[j]!, b: j + 1 });
      j++;
    }
  }
  return out;
}
