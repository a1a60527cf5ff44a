import { lazy, Suspense, useRef, useState } from 'react';
import { errorMessage } from '../../api/client';
import { useAccess, useLogout } from '../../hooks/useAuth';
import { toast } from '../../state/toasts';
import { ContextMenu, type MenuItem } from '../ContextMenu/ContextMenu';
import styles from './UserMenu.module.css';

const TokensPanel = lazy(() => import('../TokensPanel/TokensPanel'));
const UsersPanel = lazy(() => import('../UsersPanel/UsersPanel'));

const ROLE_TITLE = {
  admin: 'Admin: everything, users included',
  member: 'Member: submit, and manage your own jobs and assets',
  viewer: 'Viewer: you can look, not submit',
} as const;

/** Team mode: who is logged in, their API tokens, the users (admins), log out. Nothing in local mode. */
export function UserMenu() {
  const { team, user, isAdmin } = useAccess();
  const logout = useLogout();
  const button = useRef<HTMLButtonElement>(null);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const [panel, setPanel] = useState<'tokens' | 'users' | null>(null);
  if (!team || !user) return null;

  const open = () => {
    const r = button.current?.getBoundingClientRect();
    if (r) setMenu({ x: r.right, y: r.bottom + 4 });
  };
  const items: MenuItem[] = [
    { id: 'tokens', label: 'API tokens', onSelect: () => setPanel('tokens'), testId: 'menu-tokens' },
    ...(isAdmin ? [{ id: 'users', label: 'Users', onSelect: () => setPanel('users'), testId: 'menu-users' }] : []),
    {
      id: 'logout',
      label: 'Log out',
      testId: 'menu-logout',
      onSelect: () => logout.mutate(undefined, { onError: (err) => toast.error(`Could not log out: ${errorMessage(err)}`) }),
    },
  ];
  return (
    <>
      <button
        ref={button}
        type="button"
        className={styles.button}
        aria-haspopup="menu"
        aria-expanded={menu !== null}
        aria-label={`${user.name} (${user.role}): account menu`}
        title={ROLE_TITLE[user.role]}
        onClick={() => (menu ? setMenu(null) : open())}
        data-testid="user-menu"
      >
        <span className={styles.avatar} aria-hidden="true">
          {user.name.slice(0, 1).toUpperCase()}
        </span>
        <span className={styles.name}>{user.name}</span>
        <span className={styles.role} data-role={user.role}>
          {user.role === 'viewer' ? 'view only' : user.role}
        </span>
      </button>
      {menu && <ContextMenu x={menu.x} y={menu.y} label={`Account of ${user.name}`} items={items} onClose={() => setMenu(null)} />}
      <Suspense fallback={null}>
        {panel === 'tokens' && <TokensPanel onClose={() => setPanel(null)} />}
        {panel === 'users' && isAdmin && <UsersPanel onClose={() => setPanel(null)} />}
      </Suspense>
    </>
  );
}
