import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { OverlayElement, OverlayMessage } from '@orchestrator/shared';
import { api } from '../../api/endpoints';
import { errorMessage } from '../../api/client';
import { queryKeys } from '../../api/keys';
import { useModalDialog } from '../../hooks/useModalDialog';
import { useApplyDesignEdits, useDeploySite, useSite, useSiteMessage, useSitePreview } from '../../hooks/useSite';
import { formatDateTime } from '../../lib/format';
import { liveValue, removeEdit, upsertEdit, wireEdit, type EditTarget, type PendingEdit, type PickedPicture } from '../../lib/pendingEdits';
import { ComparePanel, FilesPanel } from './CodePanels';
import { DesignPanel } from './DesignPanel';
import { usePreviewChannel } from './usePreviewChannel';
import styles from './SiteWorkspace.module.css';

/*
 * The site studio: a large live preview of any version (served through the preview origin, with the
 * design overlay), at phone, tablet or desktop width; design mode (select an element, edit it live,
 * apply the pending edits as one v0 follow-up); the versions, files, a diff of two versions, the
 * change box and Deploy. Loaded lazily: none of it is in the initial bundle.
 */

const WIDTHS = [
  { id: 'phone', label: 'Phone', px: 390 },
  { id: 'tablet', label: 'Tablet', px: 768 },
  { id: 'desktop', label: 'Desktop', px: null },
] as const;
type WidthId = (typeof WIDTHS)[number]['id'];
type Tab = 'design' | 'versions' | 'files' | 'compare' | 'change';
const TABS: { id: Tab; label: string }[] = [
  { id: 'design', label: 'Design' },
  { id: 'versions', label: 'Versions' },
  { id: 'files', label: 'Files' },
  { id: 'compare', label: 'Compare' },
  { id: 'change', label: 'Change' },
];

/** A job this workspace started (design edits, a change, a deploy), followed until it ends. */
function useTrackedJob(id: string | null) {
  return useQuery({
    queryKey: ['studio-job', id ?? ''],
    queryFn: ({ signal }) => api.getJob(id!, signal),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data && ['completed', 'failed', 'cancelled'].includes(q.state.data.status) ? false : 1000),
  });
}

function applyField(el: OverlayElement, t: EditTarget, value: string): OverlayElement {
  if (t.kind === 'text') return { ...el, text: value };
  if (t.kind === 'class') return { ...el, classes: value.split(/\s+/).filter(Boolean) };
  return t.name ? { ...el, [t.name]: value } : el;
}

export default function SiteWorkspace({ assetId, onClose }: { assetId: string; onClose: () => void }) {
  const client = useQueryClient();
  const site = useSite(assetId, undefined);
  const versions = site.data?.versions ?? [];
  const newestWithPreview = [...versions].reverse().find((v) => v.demoUrl)?.id;
  const [chosen, setChosen] = useState<string | null>(null);
  const versionId = chosen ?? newestWithPreview;
  const version = versions.find((v) => v.id === versionId);
  const preview = useSitePreview(assetId, versionId);
  const [width, setWidth] = useState<WidthId>('desktop');
  const [reloads, setReloads] = useState(0);
  const [tab, setTab] = useState<Tab>('design');
  const [designMode, setDesignMode] = useState(false);
  const [selected, setSelected] = useState<OverlayElement | null>(null);
  const [edits, setEdits] = useState<PendingEdit[]>([]);
  const [job, setJob] = useState<{ id: string; what: string; kind: 'version' | 'deploy' } | null>(null);
  const tracked = useTrackedJob(job?.id ?? null);
  const frame = useRef<HTMLIFrameElement>(null);
  const apply = useApplyDesignEdits(assetId);
  const deploy = useDeploySite(assetId);
  const message = useSiteMessage(assetId);
  const [change, setChange] = useState('');

  const state = useRef({ designMode, edits, selected });
  useEffect(() => {
    state.current = { designMode, edits, selected };
  });

  const send = usePreviewChannel(frame, preview.data?.origin, (m: OverlayMessage, reply) => {
    if (m.type === 'ready') {
      // A (re)loaded page: restore design mode, the live edits and the selection.
      reply({ type: 'design-mode', on: state.current.designMode });
      for (const e of state.current.edits) reply({ type: 'apply', selector: e.selector, kind: e.kind, ...(e.name ? { name: e.name } : {}), value: liveValue(e) });
      if (state.current.selected) reply({ type: 'select', selector: state.current.selected.selector });
    } else if (m.type === 'selected') {
      setSelected(m.element);
      setTab('design');
    } else setSelected(null);
  });

  useEffect(() => {
    send({ type: 'design-mode', on: designMode });
  }, [designMode, send]);

  // Another version starts clean: pending edits belong to the page they were made on.
  const [editedVersion, setEditedVersion] = useState(versionId);
  if (editedVersion !== versionId) {
    setEditedVersion(versionId);
    setEdits([]);
    setSelected(null);
  }

  // When the job this workspace started ends, show the site's newest version.
  const status = tracked.data?.status;
  const jobKind = job?.kind;
  useEffect(() => {
    if (status !== 'completed') return;
    void client.invalidateQueries({ queryKey: queryKeys.site(assetId) }).then(() => {
      if (jobKind === 'version') setChosen(null);
    });
  }, [status, jobKind, client, assetId]);

  const { ref, onCancel } = useModalDialog(onClose);
  const onEdit = (t: EditTarget, current: string, value: string, picture?: PickedPicture) => {
    const live = picture ? picture.preview : value;
    setEdits((list) => upsertEdit(list, t, current, value, picture));
    setSelected((el) => (el && el.selector === t.selector ? applyField(el, t, live) : el));
    send({ type: 'apply', selector: t.selector, kind: t.kind, ...(t.name ? { name: t.name } : {}), value: live });
  };
  const onUndo = (e: PendingEdit) => {
    setEdits((list) => removeEdit(list, e));
    setSelected((el) => (el && el.selector === e.selector ? applyField(el, e, e.before) : el));
    send({ type: 'apply', selector: e.selector, kind: e.kind, ...(e.name ? { name: e.name } : {}), value: e.before });
  };
  const onSelect = (selector: string | null) => send({ type: 'select', selector });
  const onApply = () => {
    if (!versionId || edits.length === 0) return;
    apply.mutate(
      { versionId, edits: edits.map(wireEdit) },
      {
        onSuccess: (accepted) => {
          setJob({ id: accepted.id, what: `Applying ${edits.length} edit${edits.length === 1 ? '' : 's'}`, kind: 'version' });
          setEdits([]);
        },
      },
    );
  };
  const onDeploy = () => {
    if (!versionId) return;
    deploy.mutate(versionId, { onSuccess: (a) => setJob({ id: a.id, what: 'Deploying to Vercel', kind: 'deploy' }) });
  };
  const sendChange = (e: FormEvent) => {
    e.preventDefault();
    const text = change.trim();
    if (!text) return;
    message.mutate(text, {
      onSuccess: (a) => {
        setChange('');
        setJob({ id: a.id, what: 'Asking v0 for a change', kind: 'version' });
      },
    });
  };

  const px = WIDTHS.find((w) => w.id === width)?.px ?? null;
  const deployment = version?.deployment;
  const title = site.data?.title ?? 'Site';
  const running = tracked.data && !['completed', 'failed', 'cancelled'].includes(tracked.data.status);

  return (
    <dialog
      ref={ref}
      className={styles.studio}
      data-testid="site-studio"
      aria-label={`Site studio: ${title}`}
      onCancel={(e) => {
        if (selected) {
          e.preventDefault();
          onSelect(null);
        } else onCancel(e);
      }}
    >
      <header className={styles.bar}>
        <h2 className={styles.title}>{title}</h2>
        <select
          aria-label="Version"
          data-testid="studio-version"
          value={versionId ?? ''}
          onChange={(e) => setChosen(e.target.value)}
        >
          {versions.map((v, i) => (
            <option key={v.id} value={v.id} disabled={!v.demoUrl}>
              v{i + 1} · {formatDateTime(v.createdAt)}
              {v.status !== 'completed' ? ` (${v.status})` : ''}
            </option>
          ))}
        </select>
        <div className={styles.segmented} role="group" aria-label="Preview width">
          {WIDTHS.map((w) => (
            <button key={w.id} type="button" aria-pressed={width === w.id} data-testid={`studio-width-${w.id}`} onClick={() => setWidth(w.id)}>
              {w.label}
            </button>
          ))}
        </div>
        <button type="button" className={styles.tool} data-testid="studio-reload" onClick={() => setReloads((n) => n + 1)} title="Reload the preview">
          ↻ Reload
        </button>
        <button
          type="button"
          className={styles.tool}
          data-testid="studio-design-toggle"
          aria-pressed={designMode}
          onClick={() => {
            setDesignMode(!designMode);
            setTab('design');
          }}
        >
          {designMode ? '✎ Design mode on' : '✎ Design mode'}
        </button>
        <span className={styles.spacer} />
        {preview.data && (
          <a className={styles.tool} href={preview.data.url} target="_blank" rel="noopener noreferrer" data-testid="studio-open-tab">
            Open in new tab ↗
          </a>
        )}
        <button type="button" className={styles.tool} data-testid="studio-deploy" disabled={!version || version.status !== 'completed' || deploy.isPending} onClick={onDeploy}>
          {deploy.isPending ? 'Deploying…' : 'Deploy'}
        </button>
        <button type="button" className={styles.tool} data-testid="studio-close" aria-label="Close the site studio" onClick={onClose}>
          ✕
        </button>
      </header>
      {(job || deploy.error) && (
        <div className={styles.status} data-testid="studio-job" data-status={tracked.data?.status ?? (deploy.error ? 'failed' : 'queued')} role="status">
          {deploy.error ? (
            <span className={styles.error}>{errorMessage(deploy.error)}</span>
          ) : tracked.data?.status === 'failed' ? (
            <span className={styles.error}>
              {job?.what} failed: {tracked.data.error?.message ?? 'unknown error'}
            </span>
          ) : tracked.data?.status === 'completed' ? (
            <span>
              {job?.what}: done.{job?.kind === 'version' ? ' The new version is shown.' : ''}
            </span>
          ) : (
            <span>
              {job?.what}… {tracked.data?.progress.message ?? tracked.data?.status ?? 'queued'}
            </span>
          )}
          {running && <progress max={100} value={tracked.data?.progress.percent ?? 0} />}
        </div>
      )}
      {deployment && (
        <div className={styles.status} data-testid="studio-deployment">
          Deployed {formatDateTime(deployment.deployedAt)}:{' '}
          <a href={deployment.url} target="_blank" rel="noopener noreferrer">
            {deployment.url}
          </a>
        </div>
      )}
      <div className={styles.body} data-wide={tab === 'files' || tab === 'compare'}>
        <div className={styles.stage}>
          {preview.error ? (
            <p className={styles.error} role="alert">
              {errorMessage(preview.error)}
            </p>
          ) : preview.data ? (
            <iframe
              key={`${preview.data.url}#${reloads}`}
              ref={frame}
              className={styles.frame}
              style={px ? { width: px + 2 } : undefined}
              data-testid="studio-preview"
              data-width={width}
              src={preview.data.url}
              title={`Live preview of ${title}`}
              sandbox="allow-scripts allow-same-origin allow-forms allow-popups allow-modals"
            />
          ) : (
            <p className={styles.muted}>{site.isPending || preview.isPending ? 'Loading the preview…' : 'This site has no preview yet.'}</p>
          )}
        </div>
        <aside className={styles.side}>
          <div className={styles.tabs} role="tablist" aria-label="Studio panels">
            {TABS.map((t) => (
              <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} data-testid={`studio-tab-${t.id}`} onClick={() => setTab(t.id)}>
                {t.label}
                {t.id === 'design' && edits.length > 0 ? ` (${edits.length})` : ''}
              </button>
            ))}
          </div>
          <div className={styles.panel} role="tabpanel">
            {tab === 'design' && (
              <DesignPanel
                designMode={designMode}
                selected={selected}
                edits={edits}
                onEdit={onEdit}
                onUndo={onUndo}
                onSelect={onSelect}
                onApply={onApply}
                applying={apply.isPending}
                applyError={apply.error ? errorMessage(apply.error) : null}
              />
            )}
            {tab === 'versions' && (
              <ol className={styles.versions} data-testid="studio-versions" reversed>
                {[...versions].reverse().map((v) => (
                  <li key={v.id}>
                    <button type="button" aria-pressed={v.id === versionId} disabled={!v.demoUrl} onClick={() => setChosen(v.id)}>
                      <span>{formatDateTime(v.createdAt)}</span>
                      <span className={styles.muted}>{v.status}</span>
                      {v.message && <span className={styles.versionMsg}>{v.message.split('\n')[0]}</span>}
                      {v.deployment && <span className={styles.muted}>deployed</span>}
                    </button>
                  </li>
                ))}
              </ol>
            )}
            {tab === 'files' && <FilesPanel assetId={assetId} versionId={versionId} />}
            {tab === 'compare' && <ComparePanel assetId={assetId} versions={versions} />}
            {tab === 'change' && (
              <form className={styles.changeBox} onSubmit={sendChange}>
                <label htmlFor="studio-change">Ask v0 for a change</label>
                <textarea
                  id="studio-change"
                  data-testid="studio-change-input"
                  rows={4}
                  placeholder="Make the header sticky and add a dark mode"
                  value={change}
                  onChange={(e) => setChange(e.target.value)}
                />
                {message.error && <p className={styles.error}>{errorMessage(message.error)}</p>}
                <button type="submit" className={styles.primary} disabled={!change.trim() || message.isPending}>
                  {message.isPending ? 'Sending…' : 'Send change'}
                </button>
              </form>
            )}
          </div>
        </aside>
      </div>
    </dialog>
  );
}
