import { useEffect, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { forgetSession, SessionContext, useMe, useSessionWatch, type Session } from '../../hooks/useAuth';
import { LoginPage } from '../LoginPage/LoginPage';
import styles from './AuthGate.module.css';

/**
 * Asks the server who this is before the app starts. Local mode: the app as it always was. Team mode
 * without a session: the login page, with nothing of the app mounted (no queries, no event socket),
 * and whatever the last session had cached dropped.
 */
export function AuthGate({ children }: { children: ReactNode }) {
  const me = useMe();
  const client = useQueryClient();
  // A reset of the whole cache (a panel's "Reload") empties `me` for a moment: that is no reason to
  // unmount the app. Only an answer says who it is; logging out and a 401 set it to null.
  const [known, setKnown] = useState<Session | undefined>(undefined);
  if (me.data !== undefined && me.data !== known) setKnown(me.data);
  const session = me.data !== undefined ? me.data : known;
  useSessionWatch(session?.mode === 'team');
  const loggedOut = session === null;
  useEffect(() => {
    if (loggedOut) forgetSession(client);
  }, [loggedOut, client]);

  if (session === undefined) {
    if (!me.isError) return <div className={styles.starting} aria-busy="true" />;
    return (
      <div className={styles.page}>
        <div className={styles.card} role="alert">
          <h1 className={styles.title}>Cannot start</h1>
          <p className={styles.message}>{errorMessage(me.error)}</p>
          <button type="button" className={styles.retry} autoFocus onClick={() => void me.refetch()} disabled={me.isFetching}>
            {me.isFetching ? 'Trying…' : 'Try again'}
          </button>
        </div>
      </div>
    );
  }
  if (session === null) return <LoginPage />;
  return <SessionContext value={session}>{children}</SessionContext>;
}
