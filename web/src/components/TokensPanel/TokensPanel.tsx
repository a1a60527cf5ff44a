import { useEffect, useId, useState, type FormEvent } from 'react';
import { TOKEN_SCOPES, accessRank, type TokenCreated, type TokenScope, type TokenView } from '@orchestrator/shared';
import { errorMessage } from '../../api/client';
import { useAccess } from '../../hooks/useAuth';
import { useCreateToken, useRevokeToken, useTokens } from '../../hooks/useTokens';
import { copyText } from '../../lib/clipboard';
import { formatDateTime, formatShortTime } from '../../lib/format';
import { confirmAction } from '../../state/confirm';
import { AccountDialog } from '../AccountDialog/AccountDialog';
import forms from '../AccountDialog/AccountForms.module.css';
import styles from './TokensPanel.module.css';

const SCOPE_HELP: Record<TokenScope, string> = {
  read: 'read: look only',
  submit: 'submit: also submit jobs and manage your own',
  admin: 'admin: everything your role allows',
};

/** The new token, once: copy it now, it is stored hashed and never shown again. */
function NewToken({ created, onDone }: { created: TokenCreated; onDone: () => void }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (copied === 'idle') return;
    const t = setTimeout(() => setCopied('idle'), 2000);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <div className={styles.reveal} role="status" data-testid="token-created">
      <p className={styles.revealTitle}>
        <strong>Copy your new token “{created.name}” now.</strong> You will not see it again: only its first characters are kept.
      </p>
      <div className={styles.tokenRow}>
        <input
          className={styles.token}
          readOnly
          value={created.token}
          aria-label="Your new API token"
          autoFocus
          onFocus={(e) => e.currentTarget.select()}
          data-testid="token-value"
        />
        <button
          type="button"
          className={`${forms.button} ${forms.primary}`}
          onClick={() => void copyText(created.token).then((ok) => setCopied(ok ? 'copied' : 'failed'))}
          data-testid="token-copy"
        >
          {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed: select it' : 'Copy'}
        </button>
      </div>
      <p className={forms.help}>
        Send it as <code className={forms.code}>Authorization: Bearer {created.prefix}…</code> with each request.
      </p>
      <div>
        <button type="button" className={forms.button} onClick={onDone} data-testid="token-done">
          I have copied it
        </button>
      </div>
    </div>
  );
}

function TokenRow({ token, showOwner, onRevoke, busy }: { token: TokenView; showOwner: boolean; onRevoke: () => void; busy: boolean }) {
  return (
    <tr data-testid="token-row">
      <td>
        <span className={forms.name}>{token.name}</span>
      </td>
      {showOwner && (
        <td data-label="Owner">
          <span>{token.user}</span>
        </td>
      )}
      <td data-label="Scope">
        <span>
          <span className={forms.badge} data-level={token.scope}>
            {token.scope}
          </span>
        </span>
      </td>
      <td data-label="Token">
        <span className={`${forms.code} ${forms.nowrap}`}>{token.prefix}…</span>
      </td>
      <td data-label="Created">
        <span className={forms.nowrap} title={formatDateTime(token.createdAt)}>
          {formatShortTime(token.createdAt)}
        </span>
      </td>
      <td data-label="Last used">
        <span className={forms.nowrap} title={token.lastUsedAt ? formatDateTime(token.lastUsedAt) : undefined}>
          {token.lastUsedAt ? formatShortTime(token.lastUsedAt) : 'never'}
        </span>
      </td>
      <td>
        <span className={forms.actions}>
          <button
            type="button"
            className={`${forms.button} ${forms.danger} ${forms.small}`}
            onClick={onRevoke}
            disabled={busy}
            aria-label={`Revoke the token ${token.name}`}
            data-testid="token-revoke"
          >
            Revoke
          </button>
        </span>
      </td>
    </tr>
  );
}

/** Personal API tokens: make one (shown once), see when each was last used, revoke. */
export default function TokensPanel({ onClose }: { onClose: () => void }) {
  const { user, isAdmin } = useAccess();
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const scopes = TOKEN_SCOPES.filter((s) => accessRank(s) <= accessRank(user?.role ?? 'viewer'));
  const [name, setName] = useState('');
  const [scope, setScope] = useState<TokenScope>(scopes.includes('submit') ? 'submit' : 'read');
  const [created, setCreated] = useState<TokenCreated | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();

  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    if (!name.trim()) return setProblem('Name the token after what will use it, e.g. “render script”.');
    setProblem(null);
    create.mutate(
      { name: name.trim(), scope },
      {
        onSuccess: (token) => {
          setCreated(token);
          setName('');
        },
        onError: (err) => setProblem(errorMessage(err)),
      },
    );
  };

  const onRevoke = async (token: TokenView) => {
    const ok = await confirmAction({
      title: `Revoke “${token.name}”?`,
      message: `The token ${token.prefix}… stops working at once: whatever uses it gets 401 from then on. This cannot be undone.`,
      confirmLabel: 'Revoke',
      tone: 'danger',
    });
    if (!ok) return;
    setProblem(null);
    revoke.mutate(token.id, { onError: (err) => setProblem(errorMessage(err)) });
  };

  const list = tokens.data ?? [];
  const showOwner = isAdmin && list.some((t) => t.user !== user?.name);
  return (
    <AccountDialog title="API tokens" testId="tokens-panel" onClose={onClose}>
      <section className={forms.section} aria-labelledby={`${id}-new`}>
        <h3 id={`${id}-new`} className={forms.sectionTitle}>
          New token
        </h3>
        <p className={forms.intro}>
          For scripts and tools: send it as <code className={forms.code}>Authorization: Bearer &lt;token&gt;</code>. It acts as you, within its scope.
        </p>
        {created ? (
          <NewToken created={created} onDone={() => setCreated(null)} />
        ) : (
          <form className={forms.form} onSubmit={onCreate} data-testid="token-form">
            <label className={forms.field}>
              <span className={forms.label}>Name</span>
              <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="e.g. render script" autoFocus data-autofocus data-testid="token-name" />
            </label>
            <label className={`${forms.field} ${forms.fieldNarrow}`}>
              <span className={forms.label}>Scope</span>
              <select value={scope} onChange={(e) => setScope(e.target.value as TokenScope)} data-testid="token-scope">
                {scopes.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className={`${forms.button} ${forms.primary}`} disabled={create.isPending} data-testid="token-create">
              {create.isPending ? 'Creating…' : 'Create token'}
            </button>
          </form>
        )}
        {!created && <p className={forms.help}>{scopes.map((s) => SCOPE_HELP[s]).join(' · ')}</p>}
        {problem && (
          <p className={forms.error} role="alert" data-testid="tokens-error">
            {problem}
          </p>
        )}
      </section>

      <section className={forms.section} aria-labelledby={`${id}-list`}>
        <h3 id={`${id}-list`} className={forms.sectionTitle}>
          {showOwner ? 'Everyone’s tokens' : 'Your tokens'}
        </h3>
        {tokens.isPending ? (
          <p className={forms.muted}>Loading…</p>
        ) : tokens.isError ? (
          <p className={forms.error} role="alert">
            {errorMessage(tokens.error)}
          </p>
        ) : list.length === 0 ? (
          <p className={forms.muted} data-testid="tokens-empty">
            No tokens yet.
          </p>
        ) : (
          <table className={forms.table} data-testid="tokens-list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                {showOwner && <th scope="col">Owner</th>}
                <th scope="col">Scope</th>
                <th scope="col">Token</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <TokenRow key={t.id} token={t} showOwner={showOwner} busy={revoke.isPending && revoke.variables === t.id} onRevoke={() => void onRevoke(t)} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </AccountDialog>
  );
}
