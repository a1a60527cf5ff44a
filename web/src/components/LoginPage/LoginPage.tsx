import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { useLogin } from '../../hooks/useAuth';
import { loginProblem } from '../../lib/loginProblem';
import styles from './LoginPage.module.css';

/** Team mode's login form: keyboard first (the name field has focus, Enter logs in). */
export function LoginPage() {
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<{ text: string; field: 'username' | 'password' | null } | null>(null);
  const userRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const id = useId();

  const fail = (text: string, field: 'username' | 'password' | null) => {
    setProblem({ text, field });
    (field === 'username' ? userRef : passwordRef).current?.focus();
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (login.isPending) return;
    const name = username.trim();
    if (!name) return fail('Enter your user name.', 'username');
    if (!password) return fail('Enter your password.', 'password');
    setProblem(null);
    login.mutate(
      { username: name, password },
      {
        onError: (err) => {
          // A wrong password is typed again; the name usually was right.
          setPassword('');
          fail(loginProblem(err), err instanceof ApiError && err.status === 0 ? null : 'password');
        },
      },
    );
  };

  const errorId = `${id}-error`;
  return (
    <main className={styles.page}>
      <form className={styles.card} onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`} data-testid="login-form">
        <div className={styles.brand}>
          <span className={styles.logo} aria-hidden="true" />
          Orchestrator
        </div>
        <h1 id={`${id}-title`} className={styles.title}>
          Log in
        </h1>
        <label className={styles.field}>
          <span className={styles.label}>User name</span>
          <input
            ref={userRef}
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            autoFocus
            maxLength={64}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            aria-invalid={problem?.field === 'username' || undefined}
            aria-describedby={problem ? errorId : undefined}
            data-testid="login-username"
          />
        </label>
        <label className={styles.field}>
          <span className={styles.label}>Password</span>
          <input
            ref={passwordRef}
            name="password"
            type="password"
            autoComplete="current-password"
            maxLength={256}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={problem?.field === 'password' || undefined}
            aria-describedby={problem ? errorId : undefined}
            data-testid="login-password"
          />
        </label>
        <p id={errorId} className={styles.error} role="alert" data-testid="login-error">
          {problem?.text}
        </p>
        <button type="submit" className={styles.submit} disabled={login.isPending} data-testid="login-submit">
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
        <p className={styles.hint}>No account yet? An admin of this studio can add you.</p>
      </form>
    </main>
  );
}
