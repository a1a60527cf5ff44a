import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { V0SiteVersion } from '@orchestrator/shared';
import { api } from '../../api/endpoints';
import { queryKeys } from '../../api/keys';
import { errorMessage } from '../../api/client';
import { useSiteFile, useSiteFiles } from '../../hooks/useSite';
import { highlight } from '../../lib/codeHighlight';
import { lineDiff } from '../../lib/lineDiff';
import { formatDateTime } from '../../lib/format';
import styles from './SiteWorkspace.module.css';

/** Source with line numbers and colours. */
export function Code({ text, fileName }: { text: string; fileName: string }) {
  const tokens = useMemo(() => highlight(text, fileName), [text, fileName]);
  const lines = text.split('\n').length;
  return (
    <div className={styles.codeBox}>
      <pre className={styles.gutter} aria-hidden="true">
        {Array.from({ length: lines }, (_, i) => i + 1).join('\n')}
      </pre>
      <pre className={styles.code} data-testid="studio-code" aria-label={`Source of ${fileName}`}>
        {tokens.map((t, i) => (t.kind === 'plain' ? t.text : <span key={i} data-k={t.kind}>{t.text}</span>))}
      </pre>
    </div>
  );
}

/** A version's files, one open at a time with its highlighted source. */
export function FilesPanel({ assetId, versionId }: { assetId: string; versionId: string | undefined }) {
  const files = useSiteFiles(assetId, versionId);
  const [file, setFile] = useState<string | null>(null);
  const open = file !== null && files.data?.includes(file) ? file : (files.data?.find((f) => f.endsWith('page.tsx')) ?? files.data?.[0] ?? null);
  const code = useSiteFile(assetId, versionId, open);
  return (
    <div className={styles.files}>
      {files.error && <p className={styles.error}>{errorMessage(files.error)}</p>}
      <ul className={styles.fileList} data-testid="studio-files">
        {(files.data ?? []).map((f) => (
          <li key={f}>
            <button type="button" aria-pressed={f === open} onClick={() => setFile(f)}>
              {f}
            </button>
          </li>
        ))}
        {files.data?.length === 0 && <li className={styles.muted}>No saved files for this version.</li>}
      </ul>
      {open && (code.isPending ? <p className={styles.muted}>Loading…</p> : code.error ? <p className={styles.error}>{errorMessage(code.error)}</p> : <Code text={code.data ?? ''} fileName={open} />)}
    </div>
  );
}

function useFileText(assetId: string, versionId: string | undefined, file: string | null, listed: boolean) {
  return useQuery({
    queryKey: queryKeys.siteFile(assetId, versionId ?? '', file ?? ''),
    queryFn: ({ signal }) => api.siteFileText(assetId, versionId!, file!, signal),
    enabled: versionId !== undefined && file !== null && listed,
    staleTime: Infinity,
  });
}

/** A file compared between two versions (older on the left of the arrow), line by line. */
export function ComparePanel({ assetId, versions }: { assetId: string; versions: readonly V0SiteVersion[] }) {
  const saved = versions.filter((v) => v.filesSaved);
  const [a, setA] = useState<string | undefined>(saved[saved.length - 2]?.id);
  const [b, setB] = useState<string | undefined>(saved[saved.length - 1]?.id);
  const va = saved.find((v) => v.id === a);
  const vb = saved.find((v) => v.id === b);
  const names = [...new Set([...(vb?.files ?? []), ...(va?.files ?? [])])].sort();
  const [file, setFile] = useState<string | null>(null);
  const open = file && names.includes(file) ? file : (names.find((n) => n.endsWith('page.tsx')) ?? names[0] ?? null);
  const left = useFileText(assetId, a, open, Boolean(open && va?.files.includes(open)));
  const right = useFileText(assetId, b, open, Boolean(open && vb?.files.includes(open)));
  const loading = left.fetchStatus === 'fetching' || right.fetchStatus === 'fetching';
  const diff = useMemo(() => (loading ? undefined : lineDiff(left.data ?? '', right.data ?? '')), [loading, left.data, right.data]);
  const pick = (value: string | undefined, set: (v: string) => void, label: string) => (
    <select aria-label={label} value={value ?? ''} onChange={(e) => set(e.target.value)}>
      {saved.map((v, i) => (
        <option key={v.id} value={v.id}>
          v{i + 1} · {formatDateTime(v.createdAt)}
        </option>
      ))}
    </select>
  );
  if (saved.length < 2) return <p className={styles.muted}>Compare needs two versions with saved files.</p>;
  const changed = diff?.filter((l) => l.kind !== 'same').length ?? 0;
  return (
    <div className={styles.files} data-testid="studio-compare">
      <div className={styles.row}>
        {pick(a, setA, 'Older version')} → {pick(b, setB, 'Newer version')}
      </div>
      <select aria-label="File" value={open ?? ''} onChange={(e) => setFile(e.target.value)}>
        {names.map((n) => (
          <option key={n}>{n}</option>
        ))}
      </select>
      {left.error || right.error ? (
        <p className={styles.error}>{errorMessage(left.error ?? right.error)}</p>
      ) : diff === undefined ? (
        <p className={styles.muted}>Loading…</p>
      ) : diff === null ? (
        <p className={styles.muted}>This file is too large to compare here.</p>
      ) : (
        <>
          <p className={styles.muted}>{changed === 0 ? 'No differences in this file.' : `${changed} changed line${changed === 1 ? '' : 's'}.`}</p>
          <pre className={styles.diff} data-testid="studio-diff">
            {diff.map((l, i) => (
              <div key={i} data-kind={l.kind}>
                <span className={styles.diffNo}>{l.a ?? ''}</span>
                <span className={styles.diffNo}>{l.b ?? ''}</span>
                {l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : '  '}
                {l.text}
              </div>
            ))}
          </pre>
        </>
      )}
    </div>
  );
}
