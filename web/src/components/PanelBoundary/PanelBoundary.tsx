import { Component, createRef, Fragment, useCallback, type ErrorInfo, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import styles from './PanelBoundary.module.css';

interface Props {
  /** The panel's name as the user sees it ("Create", "Canvas", "Inspector"). */
  name: string;
  children: ReactNode;
}

/**
 * One panel's error boundary: a render error in it replaces that panel with a short message and a
 * "Reload this panel" button, and the other panels go on working. Reloading drops the cached server
 * state (what the panel was showing may be what broke it), fetches it again and remounts the panel.
 */
export function PanelBoundary({ name, children }: Props) {
  const client = useQueryClient();
  const refetch = useCallback(() => client.resetQueries(), [client]);
  return (
    <Boundary name={name} onReload={refetch}>
      {children}
    </Boundary>
  );
}

interface BoundaryProps extends Props {
  onReload: () => Promise<void>;
}

interface State {
  error: Error | null;
  /** Bumped by every reload: the panel's key, so it mounts afresh. */
  mount: number;
}

// React catches render errors only in a class component (there is no hook for it).
class Boundary extends Component<BoundaryProps, State> {
  override state: State = { error: null, mount: 0 };
  private readonly root = createRef<HTMLDivElement>();
  private refocus = false;

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`The ${this.props.name} panel failed to render`, error, info.componentStack);
  }

  override componentDidUpdate(): void {
    // The button that had focus is gone: keep the keyboard user in this panel, not at the page's top.
    if (this.refocus && !this.state.error) {
      this.refocus = false;
      this.root.current?.focus();
    }
  }

  private readonly reload = (): void => {
    void this.props.onReload().catch(() => undefined);
    this.refocus = true;
    this.setState((s) => ({ error: null, mount: s.mount + 1 }));
  };

  override render(): ReactNode {
    const { error, mount } = this.state;
    const { name } = this.props;
    return (
      <div ref={this.root} className={styles.root} tabIndex={-1} data-testid="panel-boundary" data-panel={name}>
        {error ? (
          <div className={styles.fallback} role="alert" data-testid="panel-error">
            <p className={styles.title}>The {name} panel stopped working.</p>
            <p className={styles.message}>
              Something it was showing could not be displayed{error.message ? `: ${error.message}` : '.'} The other panels are not affected.
            </p>
            <button type="button" className={styles.reload} data-testid="panel-reload" onClick={this.reload}>
              Reload this panel
            </button>
          </div>
        ) : (
          <Fragment key={mount}>{this.props.children}</Fragment>
        )}
      </div>
    );
  }
}
