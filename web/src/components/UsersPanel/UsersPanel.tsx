import { useId, useState, type FormEvent } from 'react';
import { Password, ROLES, UserName, checked, type Role, type UserView } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { useAccess } from '../../hooks/useAuth';
import { useAddUser, useChangeUser, useRemoveUser, useUsers } from '../../hooks/useUsers';
import { formatDateTime, formatShortTime } from '../../lib/format';
import { confirmAction } from '../../state/confirm';
import { AccountDialog } from '../AccountDialog/AccountDialog';
import forms from '../AccountDialog/AccountForms.module.css';
import styles from './UsersPanel.module.css';

const ROLE_HELP = 'admin: everything, users included · member: submit, manage own jobs and assets · viewer: look only';
const validName = checked(UserName);
const validPassword = checked(Password);

/** Why a new name or password would be refused, before asking the server (the same schemas it checks with). */
function nameProblem(name: string): string | null {
  if (!name) return 'Enter a user name.';
  return validName.check(name) ? null : 'A user name has 1 to 64 letters, digits and _ . @ - (no spaces).';
}
function passwordProblem(password: string): string | null {
  return validPassword.check(password) ? null : 'A password needs 8 to 256 characters.';
}

type Message = { tone: 'error' | 'ok'; text: string } | null;

function ResetPassword({ user, onDone, onMessage }: { user: UserView; onDone: () => void; onMessage: (m: Message) => void }) {
  const change = useChangeUser();
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = passwordProblem(password);
    if (problem) return onMessage({ tone: 'error', text: problem });
    change.mutate(
      { name: user.name, patch: { password } },
      {
        onSuccess: () => {
          onMessage({ tone: 'ok', text: `New password set for ${user.name}.` });
          onDone();
        },
        onError: (err) => onMessage({ tone: 'error', text: errorMessage(err) }),
      },
    );
  };
  return (
    <form className={styles.reset} onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), e.preventDefault(), onDone())}>
      <input
        type="password"
        autoComplete="new-password"
        autoFocus
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-label={`New password for ${user.name}`}
        placeholder="New password (8+ characters)"
        maxLength={256}
        data-testid="user-new-password"
      />
      <button type="submit" className={`${forms.button} ${forms.primary} ${forms.small}`} disabled={change.isPending}>
        Save
      </button>
      <button type="button" className={`${forms.button} ${forms.small}`} onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

function UserRow({ user, isYou, onMessage }: { user: UserView; isYou: boolean; onMessage: (m: Message) => void }) {
  const change = useChangeUser();
  const remove = useRemoveUser();
  const [resetting, setResetting] = useState(false);

  const setRole = (role: Role) => {
    onMessage(null);
    change.mutate(
      { name: user.name, patch: { role } },
      {
        onSuccess: () => onMessage({ tone: 'ok', text: `${user.name} is now ${role === 'admin' ? 'an' : 'a'} ${role}.` }),
        onError: (err) => onMessage({ tone: 'error', text: errorMessage(err) }),
      },
    );
  };

  const onRemove = async () => {
    const ok = await confirmAction({
      title: `Remove ${user.name}?`,
      message: isYou
        ? 'That is you: you will be logged out, and your API tokens stop working.'
        : `${user.name} can no longer log in, and their API tokens stop working. Their jobs and assets stay.`,
      confirmLabel: 'Remove',
      tone: 'danger',
    });
    if (!ok) return;
    onMessage(null);
    remove.mutate(user.name, {
      onSuccess: () => onMessage({ tone: 'ok', text: `${user.name} was removed.` }),
      onError: (err) => onMessage({ tone: 'error', text: errorMessage(err) }),
    });
  };

  return (
    <tr data-testid="user-row" data-user={user.name}>
      <td>
        <span className={forms.name}>
          {user.name}
          {isYou && <span className={styles.you}> (you)</span>}
        </span>
      </td>
      <td data-label="Role">
        <span>
          <select
            className={styles.role}
            value={user.role}
            onChange={(e) => setRole(e.target.value as Role)}
            disabled={change.isPending}
            aria-label={`Role of ${user.name}`}
            data-testid="user-role"
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </span>
      </td>
      <td data-label="Added">
        <span className={forms.nowrap} title={formatDateTime(user.createdAt)}>
          {formatShortTime(user.createdAt)}
        </span>
      </td>
      <td>
        {resetting ? (
          <ResetPassword user={user} onDone={() => setResetting(false)} onMessage={onMessage} />
        ) : (
          <span className={forms.actions}>
            <button type="button" className={`${forms.button} ${forms.small}`} onClick={() => setResetting(true)} data-testid="user-reset">
              Reset password
            </button>
            <button
              type="button"
              className={`${forms.button} ${forms.danger} ${forms.small}`}
              onClick={() => void onRemove()}
              disabled={remove.isPending}
              aria-label={`Remove ${user.name}`}
              data-testid="user-remove"
            >
              Remove
            </button>
          </span>
        )}
      </td>
    </tr>
  );
}

/** Users of a team studio (admins only): add, change a role, reset a password, remove. */
export default function UsersPanel({ onClose }: { onClose: () => void }) {
  const { user: me } = useAccess();
  const users = useUsers();
  const add = useAddUser();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [message, setMessage] = useState<Message>(null);
  const id = useId();

  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    if (add.isPending) return;
    const problem = nameProblem(name.trim()) ?? passwordProblem(password);
    if (problem) return setMessage({ tone: 'error', text: problem });
    setMessage(null);
    add.mutate(
      { name: name.trim(), password, role },
      {
        onSuccess: (user) => {
          setMessage({ tone: 'ok', text: `${user.name} can now log in as ${user.role === 'admin' ? 'an' : 'a'} ${user.role}.` });
          setName('');
          setPassword('');
        },
        onError: (err) => setMessage({ tone: 'error', text: errorMessage(err) }),
      },
    );
  };

  const list = users.data ?? [];
  return (
    <AccountDialog title="Users" testId="users-panel" onClose={onClose}>
      <section className={forms.section} aria-labelledby={`${id}-add`}>
        <h3 id={`${id}-add`} className={forms.sectionTitle}>
          Add a user
        </h3>
        <form className={forms.form} onSubmit={onAdd} data-testid="user-form">
          <label className={forms.field}>
            <span className={forms.label}>User name</span>
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={64}
              autoFocus
              data-autofocus
              data-testid="user-name"
            />
          </label>
          <label className={forms.field}>
            <span className={forms.label}>Password</span>
            <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} maxLength={256} data-testid="user-password" />
          </label>
          <label className={`${forms.field} ${forms.fieldNarrow}`}>
            <span className={forms.label}>Role</span>
            <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="user-new-role">
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className={`${forms.button} ${forms.primary}`} disabled={add.isPending} data-testid="user-add">
            {add.isPending ? 'Adding…' : 'Add user'}
          </button>
        </form>
        <p className={forms.help}>{ROLE_HELP}</p>
        {message && (
          <p className={message.tone === 'error' ? forms.error : forms.notice} role={message.tone === 'error' ? 'alert' : 'status'} data-testid="users-message">
            {message.text}
          </p>
        )}
      </section>

      <section className={forms.section} aria-labelledby={`${id}-list`}>
        <h3 id={`${id}-list`} className={forms.sectionTitle}>
          Users {users.data && <span className={styles.count}>{list.length}</span>}
        </h3>
        {users.isPending ? (
          <p className={forms.muted}>Loading…</p>
        ) : users.isError ? (
          <p className={forms.error} role="alert">
            {errorMessage(users.error)}
          </p>
        ) : (
          <table className={forms.table} data-testid="users-list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <UserRow key={u.name} user={u} isYou={u.name === me?.name} onMessage={setMessage} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </AccountDialog>
  );
}
