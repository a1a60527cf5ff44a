import { useState, type FormEvent } from 'react';
import type { Asset } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { formatDateTime } from '../../lib/format';
import { useSite, useSiteFile, useSiteFiles, useSiteMessage, useSitePreview } from '../../hooks/useSite';
import { useSiteStudio } from '../../state/siteStudio';
import styles from './SiteDetails.module.css';

/**
 * A v0 site in the Inspector: live preview of a version's demoUrl (never the v0.app chat page, which
 * refuses framing), its versions, its files with their source, and a box to ask for a change.
 */
export function SiteDetails({ asset }: { asset: Asset }) {
  const site = useSite(asset.id, asset.site?.versionId);
  const versions = site.data?.versions ?? [];
  const [chosenVersion, setChosenVersion] = useState<string | null>(null);
  const version = versions.find((v) => v.id === chosenVersion) ?? versions[versions.length - 1];
  const files = useSiteFiles(asset.id, version?.id);
  const [file, setFile] = useState<string | null>(null);
  const openFile = file !== null && files.data?.includes(file) ? file : null;
  const code = useSiteFile(asset.id, version?.id, openFile);
  const message = useSiteMessage(asset.id);
  const [change, setChange] = useState('');
  const webUrl = site.data?.webUrl ?? asset.site?.webUrl;
  // The preview through our preview origin (with the design overlay); the demo URL itself only if that is refused.
  const preview = useSitePreview(asset.id, version?.demoUrl ? version.id : undefined);
  const previewUrl = preview.data?.url ?? (preview.error ? version?.demoUrl : undefined);
  const openStudio = useSiteStudio((s) => s.open);

  const send = (e: FormEvent) => {
    e.preventDefault();
    const text = change.trim();
    if (!text || message.isPending) return;
    message.mutate(text, { onSuccess: () => setChange('') });
  };

  return (
    <div className={styles.site}>
      {site.error && (
        <p className={styles.error} role="alert">
          {errorMessage(site.error)}
        </p>
      )}
      <button type="button" className={styles.button} data-testid="open-site-studio" onClick={() => openStudio(asset.id)}>
        Open in site studio (design mode, versions, deploy)
      </button>
      {version?.demoUrl && previewUrl ? (
        <iframe
          key={previewUrl}
          className={styles.preview}
          data-testid="site-preview"
          src={previewUrl}
          title={`Preview of ${site.data?.title ?? 'the site'}`}
          sandbox="allow-scripts allow-same-origin allow-forms"
          referrerPolicy="no-referrer"
        />
      ) : (
        <p className={styles.muted}>{site.isPending ? 'Loading site…' : 'No preview for this version.'}</p>
      )}
      {webUrl && (
        <a className={styles.link} href={webUrl} target="_blank" rel="noopener noreferrer">
          Open in v0 ↗
        </a>
      )}

      <h3 className={styles.heading}>Versions</h3>
      <ul className={styles.list} data-testid="site-versions">
        {[...versions].reverse().map((v) => (
          <li key={v.id}>
            <button
              type="button"
              className={styles.item}
              aria-pressed={v.id === version?.id}
              onClick={() => {
                setChosenVersion(v.id);
                setFile(null);
              }}
            >
              <span>{formatDateTime(v.createdAt)}</span>
              <span className={styles.muted}>{v.status}</span>
            </button>
          </li>
        ))}
      </ul>

      <h3 className={styles.heading}>Files</h3>
      {files.error && <p className={styles.error}>{errorMessage(files.error)}</p>}
      <ul className={styles.list} data-testid="site-files">
        {(files.data ?? []).map((f) => (
          <li key={f}>
            <button type="button" className={styles.item} aria-pressed={f === openFile} onClick={() => setFile(f === openFile ? null : f)}>
              <span className={styles.mono}>{f}</span>
            </button>
          </li>
        ))}
        {files.data?.length === 0 && <li className={styles.muted}>No saved files.</li>}
      </ul>
      {openFile && (
        <pre className={styles.code} data-testid="site-code" aria-label={`Source of ${openFile}`}>
          {code.isPending ? 'Loading…' : code.error ? errorMessage(code.error) : code.data}
        </pre>
      )}

      <form className={styles.change} onSubmit={send}>
        <label htmlFor="site-change" className={styles.heading}>
          Change…
        </label>
        <textarea
          id="site-change"
          data-testid="site-change-input"
          rows={3}
          placeholder="Make the header sticky and add a dark mode"
          value={change}
          onChange={(e) => setChange(e.target.value)}
        />
        {message.error && (
          <p className={styles.error} role="alert">
            {errorMessage(message.error)}
          </p>
        )}
        {message.isSuccess && <p className={styles.muted}>Sent: the new version will appear when v0 finishes.</p>}
        <button type="submit" className={styles.button} data-testid="site-change-submit" disabled={!change.trim() || message.isPending}>
          {message.isPending ? 'Sending…' : 'Send change'}
        </button>
      </form>
    </div>
  );
}
