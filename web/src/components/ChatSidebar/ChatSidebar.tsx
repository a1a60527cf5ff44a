import { lazy, Suspense, useState, type KeyboardEvent } from 'react';
import { useLayout, type LeftTab } from '../../state/layout';
import { ChatPanel } from '../ChatPanel/ChatPanel';
import { PanelBoundary } from '../PanelBoundary/PanelBoundary';
import styles from './ChatSidebar.module.css';

// The forms load on first use: the chat is what the panel shows first.
export const CreatePanel = lazy(() => import('../CreatePanel/CreatePanel').then((m) => ({ default: m.CreatePanel })));

const TABS: { id: LeftTab; label: string; hint: string }[] = [
  { id: 'chat', label: 'Chat', hint: 'Threads with slash commands and live job cards' },
  { id: 'form', label: 'Form', hint: 'The generation forms (Image, FLUX, Video, Site, Workflow) and the job list' },
];

/**
 * The desktop's left panel (the seed's ChatSidebar): the chat, with the generation forms one click
 * away on the Form tab. Each tab keeps its state once opened (it is hidden, not unmounted), and fails
 * on its own.
 */
export function ChatSidebar() {
  const tab = useLayout((s) => s.leftTab);
  const setTab = useLayout((s) => s.setLeftTab);
  const [opened, setOpened] = useState<Set<LeftTab>>(() => new Set([tab]));
  if (!opened.has(tab)) setOpened(new Set([...opened, tab]));

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const next = tab === 'chat' ? 'form' : 'chat';
    setTab(next);
    document.getElementById(`left-tab-${next}`)?.focus();
  };

  return (
    <div className={styles.sidebar}>
      <div className={styles.tabs} role="tablist" aria-label="Chat or forms" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`left-tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls={`left-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className={styles.tab}
            title={t.hint}
            data-testid={`left-tab-${t.id}`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id="left-panel-chat" role="tabpanel" aria-labelledby="left-tab-chat" hidden={tab !== 'chat'} className={styles.body}>
        {opened.has('chat') && (
          <PanelBoundary name="Chat">
            <ChatPanel />
          </PanelBoundary>
        )}
      </div>
      <div id="left-panel-form" role="tabpanel" aria-labelledby="left-tab-form" hidden={tab !== 'form'} className={styles.body}>
        {opened.has('form') && (
          <PanelBoundary name="Create">
            <Suspense fallback={<p className={styles.loading}>Loading…</p>}>
              <CreatePanel heading={false} />
            </Suspense>
          </PanelBoundary>
        )}
      </div>
    </div>
  );
}
