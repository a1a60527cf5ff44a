import { lazy, Suspense, useCallback, type KeyboardEvent } from 'react';
import { Group, Panel, Separator } from 'react-resizable-panels';
import { useEventChannel } from '../../events/useEventChannel';
import { usePngDrop } from '../../hooks/usePngDrop';
import { NARROW_QUERY, useMediaQuery } from '../../lib/useMediaQuery';
import { useLayout, type MobileTab } from '../../state/layout';
import { Canvas } from '../Canvas/Canvas';
import { ConfirmDialog } from '../ConfirmDialog/ConfirmDialog';
import { ChatPanel } from '../ChatPanel/ChatPanel';
import { ChatSidebar, CreatePanel } from '../ChatSidebar/ChatSidebar';
import { DropHint } from '../DropHint/DropHint';
import { Header } from '../Header/Header';
import { Inspector } from '../Inspector/Inspector';
import { PanelBoundary } from '../PanelBoundary/PanelBoundary';
import { SiteStudioHost } from '../SiteWorkspace/SiteStudioHost';
import { Toasts } from '../Toasts/Toasts';
import styles from './App.module.css';

const QueuePanel = lazy(() => import('../QueuePanel/QueuePanel'));

const TABS: { id: MobileTab; label: string }[] = [
  { id: 'chat', label: 'Chat' },
  { id: 'create', label: 'Create' },
  { id: 'canvas', label: 'Canvas' },
  { id: 'queue', label: 'Queue' },
  { id: 'inspector', label: 'Inspector' },
];

/**
 * Desktop: three resizable panels whose sizes are remembered (chat and forms | canvas | inspector);
 * each fails on its own (PanelBoundary).
 */
function DesktopLayout() {
  const panels = useLayout((s) => s.panels);
  const setPanels = useLayout((s) => s.setPanels);
  return (
    <Group
      id="main"
      data-testid="panels"
      orientation="horizontal"
      className={styles.group}
      defaultLayout={panels}
      onLayoutChanged={(layout, meta) => {
        if (meta.isUserInteraction) setPanels(meta.requestedLayout ?? layout);
      }}
    >
      <Panel id="create" data-testid="panel-create" defaultSize="25%" minSize="280px" maxSize="45%" className={styles.panel}>
        <ChatSidebar />
      </Panel>
      <Separator className={styles.separator} aria-label="Resize the chat panel" />
      <Panel id="canvas" data-testid="panel-canvas" minSize="320px" className={styles.panel}>
        <PanelBoundary name="Canvas">
          <Canvas />
        </PanelBoundary>
      </Panel>
      <Separator className={styles.separator} aria-label="Resize the Inspector" />
      <Panel id="inspector" data-testid="panel-inspector" defaultSize="24%" minSize="240px" maxSize="45%" className={styles.panel}>
        <PanelBoundary name="Inspector">
          <Inspector />
        </PanelBoundary>
      </Panel>
    </Group>
  );
}

/**
 * Narrow screens: one panel at a time behind tabs. They stay mounted so scroll and input survive, but
 * the queue, which polls while it shows, is mounted only while its tab is open.
 */
function NarrowLayout() {
  const tab = useLayout((s) => s.mobileTab);
  const setTab = useLayout((s) => s.setMobileTab);
  const openInspector = useCallback(() => setTab('inspector'), [setTab]);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
    if (next === null) return;
    const target = TABS[(next + TABS.length) % TABS.length]!;
    setTab(target.id);
    document.getElementById(`tab-${target.id}`)?.focus();
  };
  const panel = (id: MobileTab, content: React.ReactNode) => (
    <div key={id} id={`tabpanel-${id}`} role="tabpanel" aria-labelledby={`tab-${id}`} hidden={tab !== id} className={styles.tabPanel}>
      <PanelBoundary name={TABS.find((t) => t.id === id)!.label}>{content}</PanelBoundary>
    </div>
  );
  return (
    <div className={styles.narrow}>
      <div className={styles.tabs} role="tablist" aria-label="Panels" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls={`tabpanel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className={styles.tab}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {panel('chat', <ChatPanel />)}
      {panel(
        'create',
        <Suspense fallback={null}>
          <CreatePanel />
        </Suspense>,
      )}
      {panel('canvas', <Canvas onOpenAsset={openInspector} />)}
      {panel(
        'queue',
        tab === 'queue' && (
          <Suspense fallback={null}>
            <QueuePanel onOpenJob={openInspector} />
          </Suspense>
        ),
      )}
      {panel('inspector', <Inspector />)}
    </div>
  );
}

export function App() {
  useEventChannel();
  const dragging = usePngDrop();
  const narrow = useMediaQuery(NARROW_QUERY);
  return (
    <div className={styles.app}>
      <Header />
      <main className={styles.main}>{narrow ? <NarrowLayout /> : <DesktopLayout />}</main>
      <Toasts />
      <ConfirmDialog />
      <SiteStudioHost />
      {dragging && <DropHint />}
    </div>
  );
}
